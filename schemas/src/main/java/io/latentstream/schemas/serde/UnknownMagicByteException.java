package io.latentstream.schemas.serde;

import io.latentstream.schemas.DeadLetterReason;

/**
 * The value is empty or does not start with the wire format's magic byte 0: not a schema-registry
 * payload.
 */
public class UnknownMagicByteException extends InvalidPayloadException {

  public UnknownMagicByteException(String message) {
    super(DeadLetterReason.UNDECODABLE_PAYLOAD, message, null);
  }
}
