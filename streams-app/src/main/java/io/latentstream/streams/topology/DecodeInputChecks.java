package io.latentstream.streams.topology;

import io.latentstream.codec.CorruptBitstreamException;
import io.latentstream.codec.DecodeLimits;
import io.latentstream.codec.FrameTooLargeException;
import io.latentstream.codec.bitstream.LsfFormat;
import io.latentstream.schemas.DeadLetterReason;
import io.latentstream.schemas.DecodeRequest;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * What the decode mirror refuses on intake, beyond what the deserializer refuses: latent frames
 * whose bitstream does not parse, disagrees with the record, or claims more pixels than {@code
 * frame.max.pixels}; decode requests whose identifiers are too long to be echoed in an answer.
 * Refused records are dead-lettered ({@link RecordReader}).
 *
 * <p>Stateless and thread-safe.
 */
final class DecodeInputChecks {

  /** The longest request id, camera id or reply key a decode request may carry, in characters. */
  static final int MAX_ID_CHARS = 1024;

  private DecodeInputChecks() {}

  /**
   * A latent frame is kept when its bitstream parses, matches its frame type and fits the pixel
   * limit.
   */
  static Optional<RecordReader.Problem> latentFrame(LatentFrame frame, DecodeLimits limits) {
    ByteBuffer buffer = frame.getBitstream().duplicate();
    byte[] bits = new byte[buffer.remaining()];
    buffer.get(bits);
    LsfFormat.Parsed parsed;
    try {
      parsed = LsfFormat.parse(bits);
    } catch (CorruptBitstreamException e) {
      return frameProblem(
          frame, DeadLetterReason.MALFORMED_PAYLOAD, ": corrupt bitstream: " + e.getMessage());
    }
    boolean key = parsed.type() == io.latentstream.codec.bitstream.FrameType.KEY;
    if (key != (frame.getFrameType() == FrameType.KEY)) {
      return frameProblem(
          frame,
          DeadLetterReason.MALFORMED_PAYLOAD,
          " says " + frame.getFrameType() + " but its bitstream is a " + parsed.type() + " frame");
    }
    if (key) {
      try {
        limits.check(parsed.header());
      } catch (FrameTooLargeException e) {
        return frameProblem(
            frame, DeadLetterReason.OVERSIZED_FRAME, ": " + e.getMessage() + " (frame.max.pixels)");
      }
    }
    return Optional.empty();
  }

  /**
   * A decode request is answered when its identifiers are short enough to be echoed in the answer.
   */
  static Optional<RecordReader.Problem> decodeRequest(DecodeRequest request) {
    for (String[] id :
        new String[][] {
          {"request id", request.getRequestId()},
          {"camera id", request.getCameraId()},
          {"reply key", request.getReplyKey()}
        }) {
      if (id[1] != null && id[1].length() > MAX_ID_CHARS) {
        return problem(
            DeadLetterReason.OVERSIZED_FRAME,
            "decode request: "
                + id[0]
                + " of "
                + id[1].length()
                + " characters, at most "
                + MAX_ID_CHARS);
      }
    }
    return Optional.empty();
  }

  /** A problem of {@code frame}: the message names it, then says {@code what}. */
  private static Optional<RecordReader.Problem> frameProblem(
      LatentFrame frame, DeadLetterReason reason, String what) {
    return problem(
        reason, "frame " + frame.getSequence() + " of camera " + frame.getCameraId() + what);
  }

  private static Optional<RecordReader.Problem> problem(DeadLetterReason reason, String message) {
    return Optional.of(new RecordReader.Problem(reason, message));
  }
}
