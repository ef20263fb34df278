package io.latentstream.schemas.serde;

import io.latentstream.schemas.DeadLetterReason;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The bytes of a record are not a valid payload for the deserializer's type: the record itself is
 * at fault and retrying cannot help, so a dead-letter handler should route it to the DLQ with
 * {@link #reason()}.
 *
 * <p>Failures that are not the record's fault (the registry unreachable, say) are plain {@link
 * SerializationException}s, never this type.
 */
public abstract class InvalidPayloadException extends SerializationException {

  private final DeadLetterReason reason;

  protected InvalidPayloadException(DeadLetterReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** The dead-letter reason code for this failure. */
  public DeadLetterReason reason() {
    return reason;
  }
}
