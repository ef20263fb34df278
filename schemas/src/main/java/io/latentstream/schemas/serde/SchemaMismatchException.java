package io.latentstream.schemas.serde;

import io.latentstream.schemas.DeadLetterReason;

/**
 * The payload was written with a schema that cannot be resolved into the reader's type, e.g. a
 * {@code DeadLetter} on a topic read as {@code RawFrame}.
 */
public class SchemaMismatchException extends InvalidPayloadException {

  private final int schemaId;
  private final String writerSchemaName;
  private final String readerSchemaName;

  public SchemaMismatchException(
      int schemaId, String writerSchemaName, String readerSchemaName, String details) {
    super(
        DeadLetterReason.SCHEMA_MISMATCH,
        "Payload written with schema id "
            + schemaId
            + " ("
            + writerSchemaName
            + ") cannot be read as "
            + readerSchemaName
            + ": "
            + details,
        null);
    this.schemaId = schemaId;
    this.writerSchemaName = writerSchemaName;
    this.readerSchemaName = readerSchemaName;
  }

  /** The writer schema's id. */
  public int schemaId() {
    return schemaId;
  }

  /** Full name of the schema the payload was written with. */
  public String writerSchemaName() {
    return writerSchemaName;
  }

  /** Full name of the type the deserializer reads. */
  public String readerSchemaName() {
    return readerSchemaName;
  }
}
