package io.latentstream.schemas.registry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

/**
 * A record schema and the two ways it can grow, for the compatibility tests against the stub and
 * against the real registry: a new field with a default (backward compatible) and a new required
 * field (not).
 */
final class ThingSchemas {

  private ThingSchemas() {}

  /** {@code Thing { string a }}. */
  static Schema v1() {
    return SchemaBuilder.record("Thing").namespace("t").fields().requiredString("a").endRecord();
  }

  /** {@link #v1()} plus {@code int b = 0}: readers of the new version can read old records. */
  static Schema withDefault() {
    return SchemaBuilder.record("Thing")
        .namespace("t")
        .fields()
        .requiredString("a")
        .name("b")
        .type()
        .intType()
        .intDefault(0)
        .endRecord();
  }

  /** {@link #v1()} plus a required {@code int c}: old records lack it. */
  static Schema withoutDefault() {
    return SchemaBuilder.record("Thing")
        .namespace("t")
        .fields()
        .requiredString("a")
        .requiredInt("c")
        .endRecord();
  }
}
