package io.latentstream.streams.errors;

import io.latentstream.schemas.DeadLetterReason;
import java.util.Objects;

/**
 * A frame is at fault and goes to the dead-letter topic with {@link #reason()}: retrying it cannot
 * help. Thrown and caught inside the encode processor; never escapes to Kafka Streams. Immutable.
 */
public class FrameRejectedException extends RuntimeException {

  private final DeadLetterReason reason;

  public FrameRejectedException(DeadLetterReason reason, String message) {
    this(reason, message, null);
  }

  public FrameRejectedException(DeadLetterReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public DeadLetterReason reason() {
    return reason;
  }
}
