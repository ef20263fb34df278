package io.latentstream.streams.topology;

import io.latentstream.codec.sequence.ReferenceState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Where a camera's chain stood after its last committed frame: key sequence, last sequence and
 * model version. Kept per camera in the changelogged store {@link EncodeTopology#CHAIN_STORE}, so
 * under exactly-once it always says what the committed records on {@code images.latent} say. The
 * encoder holds the reference itself in memory (hundreds of KB per camera, too much to write to the
 * broker every frame) and codes a DELTA only when its in-memory chain is at exactly this position;
 * after an aborted transaction, a task move or a restart it is not, and the camera's next frame is
 * a KEY frame.
 *
 * @param keySequence sequence of the chain's key frame
 * @param sequence sequence of the last frame encoded
 * @param modelVersion the chain's model
 */
record ChainPosition(long keySequence, long sequence, String modelVersion) {
  private static final int FORMAT = 1;

  static ChainPosition of(ReferenceState s) {
    return new ChainPosition(s.keySequence(), s.sequence(), s.modelVersion());
  }

  /** Whether an in-memory chain is exactly at this committed position. */
  boolean matches(ReferenceState s) {
    return s != null
        && s.keySequence() == keySequence
        && s.sequence() == sequence
        && s.modelVersion().equals(modelVersion);
  }

  byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeLong(keySequence);
      out.writeLong(sequence);
      out.writeUTF(modelVersion);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads a stored position; null for bytes this version cannot read (then the chain simply
   * restarts).
   */
  static ChainPosition fromBytes(byte[] b) {
    if (b == null) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
      if (in.readUnsignedByte() != FORMAT) {
        return null;
      }
      return new ChainPosition(in.readLong(), in.readLong(), in.readUTF());
    } catch (IOException e) {
      return null;
    }
  }
}
