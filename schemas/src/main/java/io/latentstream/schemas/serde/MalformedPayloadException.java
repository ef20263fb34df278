package io.latentstream.schemas.serde;

import io.latentstream.schemas.DeadLetterReason;

/**
 * The header is valid but the Avro data is garbage: a negative length, a bad union or enum index,
 * trailing bytes.
 */
public class MalformedPayloadException extends InvalidPayloadException {

  public MalformedPayloadException(String message, Throwable cause) {
    super(DeadLetterReason.MALFORMED_PAYLOAD, message, cause);
  }
}
