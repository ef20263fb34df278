package io.latentstream.schemas.registry;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * A schema as registered under a subject. Immutable.
 *
 * @param subject the subject, e.g. {@code images.raw-value}
 * @param id the registry-wide schema id written into the wire format
 * @param version the version of the schema within the subject (1, 2, ...)
 * @param schema the parsed Avro schema
 */
public record RegisteredSchema(String subject, int id, int version, Schema schema) {

  public RegisteredSchema {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
  }
}
