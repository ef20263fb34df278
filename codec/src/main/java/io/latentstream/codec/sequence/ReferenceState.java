package io.latentstream.codec.sequence;

import io.latentstream.codec.CorruptBitstreamException;
import io.latentstream.codec.bitstream.LsfFormat;
import io.latentstream.codec.bitstream.LsfHeader;
import io.latentstream.codec.bitstream.ModelFingerprint;
import io.latentstream.codec.entropy.AdaptiveBits;
import io.latentstream.codec.image.ContainerFormat;
import io.latentstream.codec.image.PixelFormat;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * Where a stream stands after a frame: exactly what encoder and decoder both hold, so that the next
 * DELTA frame is predicted from the same reference on both sides. Immutable (the arrays are never
 * modified after construction and not exposed), so one instance can be shared and kept, e.g. as a
 * checkpoint for random access.
 *
 * <p>{@link #toBytes()} / {@link #fromBytes(byte[])} serialise it (compressed, about 30 KB for a
 * quiet 640x480 scene) so that a stream processor can keep it in a state store and resume a chain
 * after a restart.
 */
public final class ReferenceState {
  private static final int MAGIC = 0x4c535201; // "LSR" 1

  private final LsfHeader key;
  private final long keySequence;
  private final long sequence;
  private final long keyTimeMs;
  private final int[] q;
  private final AdaptiveBits contexts;
  private final int fingerprint;

  /**
   * @param key the key frame's header: size, formats, latent shape and model version of the whole
   *     chain
   * @param keySequence sequence number of the key frame
   * @param sequence sequence number of the last frame coded (the next DELTA's reference)
   * @param keyTimeMs capture time of the key frame in ms, or -1 when unknown
   * @param q the last frame's latent symbols (h x w x M); kept, not copied: the caller must not
   *     modify it
   * @param contexts the DELTA contexts for the next frame; kept, not copied
   */
  ReferenceState(
      LsfHeader key,
      long keySequence,
      long sequence,
      long keyTimeMs,
      int[] q,
      AdaptiveBits contexts) {
    if (q.length != key.symbolCount()) {
      throw new IllegalArgumentException("latent of " + q.length + " values does not fit " + key);
    }
    if (sequence < keySequence) {
      throw new IllegalArgumentException(
          "sequence " + sequence + " before key sequence " + keySequence);
    }
    this.key = key;
    this.keySequence = keySequence;
    this.sequence = sequence;
    this.keyTimeMs = keyTimeMs;
    this.q = q;
    this.contexts = contexts;
    this.fingerprint = ModelFingerprint.of(key.modelVersion());
  }

  /** The key frame's header (size, formats, latent shape, model version of the chain). */
  public LsfHeader keyHeader() {
    return key;
  }

  public String modelVersion() {
    return key.modelVersion();
  }

  public int modelFingerprint() {
    return fingerprint;
  }

  public long keySequence() {
    return keySequence;
  }

  /** Sequence number of the last frame coded. */
  public long sequence() {
    return sequence;
  }

  /** Frames since the key frame (0 right after it). */
  public long chainLength() {
    return sequence - keySequence;
  }

  public long keyTimeMs() {
    return keyTimeMs;
  }

  int[] symbols() {
    return q;
  }

  AdaptiveBits contexts() {
    return contexts;
  }

  /** A copy of the latent symbols of the last frame. */
  public int[] latentSymbols() {
    return q.clone();
  }

  /** Serialises the state (deflated). */
  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 15);
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    // buffered: the deflater streams cost a native call per single-byte read or write
    try (DataOutputStream out =
        new DataOutputStream(
            new BufferedOutputStream(
                new DeflaterOutputStream(bytes, deflater, 1 << 14), 1 << 14))) {
      out.writeInt(MAGIC);
      out.writeUTF(key.modelVersion());
      out.writeByte(key.pixelFormat().ordinal());
      out.writeByte(key.container().ordinal());
      out.writeInt(key.width());
      out.writeInt(key.height());
      out.writeShort(key.stride());
      out.writeShort(key.latentHeight());
      out.writeShort(key.latentWidth());
      out.writeShort(key.latentChannels());
      out.writeLong(keySequence);
      out.writeLong(sequence);
      out.writeLong(keyTimeMs);
      for (int v : q) {
        writeVarint(out, (v << 1) ^ (v >> 31));
      }
      int[] states = contexts.states();
      out.writeInt(states.length);
      for (int s : states) {
        out.writeInt(s);
      }
    } catch (IOException e) {
      throw new IllegalStateException("in-memory stream failed", e);
    } finally {
      deflater.end();
    }
    return bytes.toByteArray();
  }

  /**
   * Reads a state written by {@link #toBytes()}.
   *
   * @throws CorruptBitstreamException when the bytes are not a valid state
   */
  public static ReferenceState fromBytes(byte[] bytes) {
    try (DataInputStream in =
        new DataInputStream(
            new BufferedInputStream(
                new InflaterInputStream(new ByteArrayInputStream(bytes)), 1 << 14))) {
      if (in.readInt() != MAGIC) {
        throw new CorruptBitstreamException("not a reference state");
      }
      String version = in.readUTF();
      int pf = in.readUnsignedByte();
      int ct = in.readUnsignedByte();
      if (pf >= PixelFormat.values().length || ct >= ContainerFormat.values().length) {
        throw new CorruptBitstreamException("reference state: unknown pixel format or container");
      }
      LsfHeader h =
          new LsfHeader(
              version,
              in.readInt(),
              in.readInt(),
              PixelFormat.values()[pf],
              ContainerFormat.values()[ct],
              in.readUnsignedShort(),
              in.readUnsignedShort(),
              in.readUnsignedShort(),
              in.readUnsignedShort());
      try {
        LsfFormat.validate(h);
      } catch (RuntimeException e) {
        throw new CorruptBitstreamException("reference state: " + e.getMessage(), e);
      }
      long keySeq = in.readLong();
      long seq = in.readLong();
      long keyTime = in.readLong();
      if (seq < keySeq) {
        throw new CorruptBitstreamException("reference state: sequence before key sequence");
      }
      int[] q = new int[(int) h.symbolCount()];
      for (int i = 0; i < q.length; i++) {
        int z = readVarint(in);
        q[i] = (z >>> 1) ^ -(z & 1);
      }
      int n = in.readInt();
      if (n < 0 || n > (1 << 20)) {
        throw new CorruptBitstreamException("reference state: " + n + " contexts");
      }
      int[] states = new int[n];
      for (int i = 0; i < n; i++) {
        states[i] = in.readInt();
      }
      if (in.read() != -1) {
        throw new CorruptBitstreamException("reference state: trailing bytes");
      }
      AdaptiveBits contexts;
      try {
        contexts = AdaptiveBits.restore(states);
      } catch (IllegalArgumentException e) {
        throw new CorruptBitstreamException("reference state: " + e.getMessage(), e);
      }
      return new ReferenceState(h, keySeq, seq, keyTime, q, contexts);
    } catch (EOFException e) {
      throw new CorruptBitstreamException("reference state truncated", e);
    } catch (IOException e) {
      throw new CorruptBitstreamException("reference state unreadable: " + e.getMessage(), e);
    }
  }

  private static void writeVarint(DataOutputStream out, int v) throws IOException {
    while ((v & ~0x7f) != 0) {
      out.writeByte((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.writeByte(v);
  }

  private static int readVarint(InputStream in) throws IOException {
    int v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException();
      }
      v |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new CorruptBitstreamException("reference state: varint too long");
  }

  @Override
  public String toString() {
    return "ReferenceState["
        + key.modelVersion()
        + ", "
        + key.width()
        + "x"
        + key.height()
        + ", key "
        + keySequence
        + ", at "
        + sequence
        + "]";
  }
}
