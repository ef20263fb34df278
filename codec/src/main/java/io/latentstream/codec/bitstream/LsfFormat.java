package io.latentstream.codec.bitstream;

import io.latentstream.codec.CorruptBitstreamException;
import io.latentstream.codec.InvalidImageException;
import io.latentstream.codec.image.ContainerFormat;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The {@code .lsf} bitstream: the LatentFrame {@code bitstream} field and the content of a {@code
 * .lsf} file (identical bytes). Integers are big-endian; docs/bitstream.md is the full
 * specification. Byte 3 holds the format version (low nibble) and the frame type (high nibble):
 * 0x01 = v1 (KEY, rANS payload), 0x02 = v2 KEY, 0x12 = v2 DELTA (context-adaptive binary arithmetic
 * payloads, {@link io.latentstream.codec.entropy.LatentCoder}).
 *
 * <pre>
 * v1 and v2 KEY                                      v2 DELTA
 * offset size  field                                 offset size  field
 *  0     3     magic "LSF"                             0     3     magic "LSF"
 *  3     1     0x01 (v1) or 0x02 (v2 KEY)              3     1     0x12
 *  4     1     pixel format: 0 = RGB24, 1 = GRAY8      4     3     model fingerprint (24 bits)
 *  5     1     container: 0 = raw, 1 = PNG, 2 = JPEG   7     v     key sequence, zigzag varint
 *  6     2     flags, 0                                7+v   u     chain position = reference sequence
 *  8     4     width                                              - key sequence, varint
 * 12     4     height                                  7+v+u p     payload (to the CRC)
 * 16     2     stride s                                ...   4     CRC-32 of every preceding byte
 * 18     2     latent height  = ceil(height / s)
 * 20     2     latent width   = ceil(width / s)
 * 22     2     latent channels M
 * 24     8     sequence (v2 only; 0 for a still image)
 * +0     1     n = length of the model version
 * +1     n     model version, ASCII [a-z0-9][a-z0-9-]*
 * +1+n   4     payload length p
 * +5+n   p     payload: v1 rANS (RansCoder), v2 LatentCoder KEY
 * +5+n+p 4     CRC-32 of every preceding byte
 * </pre>
 *
 * <p>A DELTA's size, formats and model are its key frame's; its own sequence number is the
 * reference's plus one. Its overhead is 11 bytes plus the two varints: 15 bytes for key sequences
 * below 2^20 and chains below 128 frames.
 *
 * <p>{@link #parse} checks the exact total length, the CRC and every field's range (dimension caps,
 * latent shape against width/height/stride) before anything is allocated from the header's numbers.
 * Stateless, thread-safe.
 */
public final class LsfFormat {
  /** The format version written by {@link #writeKey} and {@link #writeDelta}. */
  public static final int FORMAT_VERSION = 2;

  private static final int V1 = 0x01;
  private static final int V2_KEY = 0x02;
  private static final int V2_DELTA = 0x12;

  /** Bytes of a v1 header before the model version string. */
  static final int FIXED_HEADER = 25;

  /** Bytes of a v2 KEY header before the model version string. */
  static final int FIXED_HEADER_V2 = 33;

  private static final byte[] MAGIC = {'L', 'S', 'F'};
  private static final Pattern VERSION = Pattern.compile("[a-z0-9][a-z0-9-]*");

  /** Upper bound on latent channels, far above any sensible model. */
  public static final int MAX_LATENT_CHANNELS = 4096;

  /** Upper bound on the stride, far above any sensible model. */
  public static final int MAX_STRIDE = 1024;

  /**
   * Upper bound on latent symbols per frame (256 MB of ints); a 16384x4096 frame at stride 16,
   * M=192 is 50M.
   */
  public static final long MAX_SYMBOLS = 1L << 26;

  private LsfFormat() {}

  /**
   * A parsed bitstream and where its payload lies in the original array (no copy).
   *
   * @param formatVersion 1 or 2
   * @param type KEY or DELTA
   * @param header size, formats and model of a KEY frame; null for a DELTA
   * @param sequence the frame's sequence number (v1: 0)
   * @param delta a DELTA's stream position and model fingerprint; null for a KEY
   */
  public record Parsed(
      int formatVersion,
      FrameType type,
      LsfHeader header,
      long sequence,
      DeltaHeader delta,
      byte[] buffer,
      int payloadOffset,
      int payloadLength) {}

  /**
   * Serialises a v1 bitstream (rANS payload). Only tools and tests write v1; the codec writes v2.
   */
  public static byte[] writeV1(LsfHeader h, byte[] payload) {
    return writeWithHeader(V1, h, 0, payload);
  }

  /** Serialises a v2 KEY frame with its sequence number (0 for a still image). */
  public static byte[] writeKey(LsfHeader h, long sequence, byte[] payload) {
    return writeWithHeader(V2_KEY, h, sequence, payload);
  }

  private static byte[] writeWithHeader(int kind, LsfHeader h, long sequence, byte[] payload) {
    validate(h);
    byte[] version = h.modelVersion().getBytes(StandardCharsets.US_ASCII);
    int fixed = kind == V1 ? FIXED_HEADER : FIXED_HEADER_V2;
    ByteBuffer out = ByteBuffer.allocate(fixed + version.length + 4 + payload.length + 4);
    out.put(MAGIC).put((byte) kind);
    out.put((byte) h.pixelFormat().ordinal())
        .put((byte) h.container().ordinal())
        .putShort((short) 0);
    out.putInt(h.width()).putInt(h.height());
    out.putShort((short) h.stride())
        .putShort((short) h.latentHeight())
        .putShort((short) h.latentWidth())
        .putShort((short) h.latentChannels());
    if (kind != V1) {
      out.putLong(sequence);
    }
    out.put((byte) version.length).put(version);
    out.putInt(payload.length).put(payload);
    return withCrc(out);
  }

  /** Serialises a v2 DELTA frame. */
  public static byte[] writeDelta(DeltaHeader d, byte[] payload) {
    ByteBuffer out = ByteBuffer.allocate(7 + 10 + 10 + payload.length + 4);
    out.put(MAGIC).put((byte) V2_DELTA);
    int f = d.modelFingerprint();
    out.put((byte) (f >>> 16)).put((byte) (f >>> 8)).put((byte) f);
    putVarint(out, (d.keySequence() << 1) ^ (d.keySequence() >> 63));
    putVarint(out, d.referenceSequence() - d.keySequence());
    out.put(payload);
    byte[] b = withCrc(out);
    return b;
  }

  private static byte[] withCrc(ByteBuffer out) {
    CRC32 crc = new CRC32();
    crc.update(out.array(), 0, out.position());
    out.putInt((int) crc.getValue());
    return out.position() == out.capacity()
        ? out.array()
        : java.util.Arrays.copyOf(out.array(), out.position());
  }

  private static void putVarint(ByteBuffer out, long v) {
    while ((v & ~0x7fL) != 0) {
      out.put((byte) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.put((byte) v);
  }

  /**
   * Parses and validates a bitstream of any version and frame type.
   *
   * @throws CorruptBitstreamException naming the first problem found
   */
  public static Parsed parse(byte[] b) {
    if (b == null || b.length < 4 + 4) {
      throw new CorruptBitstreamException(
          "bitstream too short: " + (b == null ? 0 : b.length) + " bytes");
    }
    if (b[0] != MAGIC[0] || b[1] != MAGIC[1] || b[2] != MAGIC[2]) {
      throw new CorruptBitstreamException("not an LSF bitstream (bad magic)");
    }
    int kind = b[3] & 0xff;
    if (kind != V1 && kind != V2_KEY && kind != V2_DELTA) {
      throw new CorruptBitstreamException(
          "unsupported LSF format version " + (kind & 0x0f) + " (frame type " + (kind >>> 4) + ")");
    }
    int crcAt = b.length - 4;
    CRC32 crc = new CRC32();
    crc.update(b, 0, crcAt);
    boolean crcOk = (int) crc.getValue() == ByteBuffer.wrap(b, crcAt, 4).getInt();
    if (kind == V2_DELTA) {
      if (!crcOk) {
        throw new CorruptBitstreamException("bitstream CRC mismatch: corrupted or truncated");
      }
      return parseDelta(b);
    }
    return parseWithHeader(b, kind, crcOk);
  }

  private static Parsed parseDelta(byte[] b) {
    int end = b.length - 4;
    if (end < 7 + 2) {
      throw new CorruptBitstreamException("DELTA bitstream truncated in header");
    }
    int fingerprint = ((b[4] & 0xff) << 16) | ((b[5] & 0xff) << 8) | (b[6] & 0xff);
    int[] at = {7};
    long zigzag = readVarint(b, at, end);
    long key = (zigzag >>> 1) ^ -(zigzag & 1);
    long chain = readVarint(b, at, end);
    if (chain < 0 || key > Long.MAX_VALUE - 1 - chain) {
      throw new CorruptBitstreamException("DELTA chain position " + chain + " out of range");
    }
    DeltaHeader d = new DeltaHeader(fingerprint, key, key + chain);
    return new Parsed(
        FORMAT_VERSION, FrameType.DELTA, null, d.sequence(), d, b, at[0], end - at[0]);
  }

  private static long readVarint(byte[] b, int[] at, int end) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at[0] >= end) {
        throw new CorruptBitstreamException("DELTA bitstream truncated in header");
      }
      int x = b[at[0]++] & 0xff;
      v |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw new CorruptBitstreamException("DELTA header: varint longer than 64 bits");
  }

  private static Parsed parseWithHeader(byte[] b, int kind, boolean crcOk) {
    int fixed = kind == V1 ? FIXED_HEADER : FIXED_HEADER_V2;
    if (b.length < fixed + 1 + 4 + 4) {
      throw new CorruptBitstreamException("bitstream too short: " + b.length + " bytes");
    }
    ByteBuffer in = ByteBuffer.wrap(b);
    in.position(4);
    int pixelFormat = in.get() & 0xff;
    int container = in.get() & 0xff;
    int flags = in.getShort() & 0xffff;
    long width = in.getInt() & 0xffffffffL;
    long height = in.getInt() & 0xffffffffL;
    int stride = in.getShort() & 0xffff;
    int latentHeight = in.getShort() & 0xffff;
    int latentWidth = in.getShort() & 0xffff;
    int channels = in.getShort() & 0xffff;
    long sequence = kind == V1 ? 0 : in.getLong();
    int versionLength = in.get() & 0xff;
    long expectedMin = (long) fixed + versionLength + 4 + 4;
    if (versionLength == 0 || b.length < expectedMin) {
      throw new CorruptBitstreamException("bitstream truncated in header");
    }
    String version = new String(b, fixed, versionLength, StandardCharsets.US_ASCII);
    in.position(fixed + versionLength);
    long payloadLength = in.getInt() & 0xffffffffL;
    long total = expectedMin + payloadLength;
    if (total != b.length) {
      throw new CorruptBitstreamException(
          "bitstream length "
              + b.length
              + " does not match header ("
              + total
              + " bytes expected): truncated or padded");
    }
    if (!crcOk) {
      throw new CorruptBitstreamException("bitstream CRC mismatch: corrupted");
    }
    if (flags != 0) {
      throw new CorruptBitstreamException("unsupported flags 0x" + Integer.toHexString(flags));
    }
    if (pixelFormat >= PixelFormat.values().length
        || container >= ContainerFormat.values().length) {
      throw new CorruptBitstreamException(
          "unknown pixel format " + pixelFormat + " or container " + container);
    }
    LsfHeader h =
        new LsfHeader(
            version,
            (int) Math.min(width, Integer.MAX_VALUE),
            (int) Math.min(height, Integer.MAX_VALUE),
            PixelFormat.values()[pixelFormat],
            ContainerFormat.values()[container],
            stride,
            latentHeight,
            latentWidth,
            channels);
    if (width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
      throw new CorruptBitstreamException("image size " + width + "x" + height + " out of range");
    }
    try {
      validate(h);
    } catch (IllegalArgumentException | InvalidImageException e) {
      throw new CorruptBitstreamException("invalid bitstream header: " + e.getMessage(), e);
    }
    return new Parsed(
        kind == V1 ? 1 : 2,
        FrameType.KEY,
        h,
        sequence,
        null,
        b,
        fixed + versionLength + 4,
        (int) payloadLength);
  }

  /**
   * Checks a header's fields against the format's limits.
   *
   * @throws IllegalArgumentException or InvalidImageException naming the first broken rule
   */
  public static void validate(LsfHeader h) {
    if (h.modelVersion() == null
        || h.modelVersion().length() > 255
        || !VERSION.matcher(h.modelVersion()).matches()) {
      throw new IllegalArgumentException(
          "model version must match " + VERSION + " (max 255 chars)");
    }
    PixelImage.checkDimensions(h.width(), h.height());
    if (h.stride() < 1 || h.stride() > MAX_STRIDE) {
      throw new IllegalArgumentException("stride " + h.stride() + " outside 1.." + MAX_STRIDE);
    }
    if (h.latentChannels() < 1 || h.latentChannels() > MAX_LATENT_CHANNELS) {
      throw new IllegalArgumentException(
          "latent channels " + h.latentChannels() + " outside 1.." + MAX_LATENT_CHANNELS);
    }
    int expectedH = ceilDiv(h.height(), h.stride());
    int expectedW = ceilDiv(h.width(), h.stride());
    if (h.latentHeight() != expectedH || h.latentWidth() != expectedW) {
      throw new IllegalArgumentException(
          "latent shape "
              + h.latentHeight()
              + "x"
              + h.latentWidth()
              + " does not fit "
              + h.width()
              + "x"
              + h.height()
              + " at stride "
              + h.stride()
              + " ("
              + expectedH
              + "x"
              + expectedW
              + ")");
    }
    if (expectedH > 0xffff || expectedW > 0xffff || h.symbolCount() > MAX_SYMBOLS) {
      throw new IllegalArgumentException("latent too large: " + h.symbolCount() + " symbols");
    }
  }

  static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
