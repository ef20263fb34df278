package io.latentstream.schemas.serde;

import io.latentstream.schemas.DeadLetterReason;

/** The schema id in the header is not known to the registry. */
public class UnknownSchemaIdException extends InvalidPayloadException {

  private final int schemaId;

  public UnknownSchemaIdException(int schemaId, Throwable cause) {
    super(
        DeadLetterReason.UNKNOWN_SCHEMA_ID,
        "Schema id " + schemaId + " is not known to the schema registry",
        cause);
    this.schemaId = schemaId;
  }

  /** The id read from the payload header. */
  public int schemaId() {
    return schemaId;
  }
}
