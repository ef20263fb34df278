package io.latentstream.schemas.serde;

import io.latentstream.schemas.DeadLetterReason;

/** The value is shorter than the 5-byte header, or its Avro data ends before the record does. */
public class TruncatedPayloadException extends InvalidPayloadException {

  public TruncatedPayloadException(String message, Throwable cause) {
    super(DeadLetterReason.TRUNCATED_PAYLOAD, message, cause);
  }
}
