package io.latentstream.schemas.serde;

import io.latentstream.schemas.registry.RegisteredSchema;
import io.latentstream.schemas.registry.SchemaNotFoundException;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryException;
import io.latentstream.schemas.registry.SubjectNotFoundException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer of generated Avro records in the Confluent wire format (magic byte 0, 4-byte
 * big-endian schema id, Avro binary) under subject {@code <topic>-value} ({@code <topic>-key} for
 * keys).
 *
 * <p>Schema ids: with {@code auto.register.schemas=true} (default) the record's schema is
 * registered; with {@code false} it is looked up, and an unregistered schema fails with a {@link
 * SerializationException} saying so; with {@code use.latest.version=true} the subject's latest
 * version is used (fetched once per subject and schema, then kept for the life of the serializer),
 * the record being converted to it.
 *
 * <p>A {@code null} record serializes to {@code null} (a Kafka tombstone). Registry failures
 * surface as {@link SerializationException} with the {@link SchemaRegistryException} as cause.
 *
 * <p>Thread-safe. Create it either with a {@link SchemaRegistryClient} (which the caller owns and
 * shares) or with the no-argument constructor plus {@link #configure}, which builds its own client
 * from {@link AvroSerdeConfig} keys. {@link #close()} releases nothing: the client needs no
 * closing.
 *
 * @param <T> the generated record type
 */
public class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

  /** How records of one schema are written to one subject. */
  private record Plan(int schemaId, Schema writerSchema, boolean convert) {}

  private record PlanKey(String subject, Schema schema) {}

  private SchemaRegistryClient client;
  private boolean autoRegister = true;
  private boolean useLatestVersion;
  private boolean isKey;
  private final ConcurrentMap<PlanKey, Plan> plans = new ConcurrentHashMap<>();
  private final ConcurrentMap<Schema, DatumWriter<Object>> specificWriters =
      new ConcurrentHashMap<>();
  private final ConcurrentMap<Schema, DatumWriter<Object>> genericWriters =
      new ConcurrentHashMap<>();

  /** For Kafka's reflective instantiation; {@link #configure} must be called before use. */
  public AvroSerializer() {}

  /** A value serializer that registers schemas automatically. */
  public AvroSerializer(SchemaRegistryClient client) {
    this(client, true, false);
  }

  /**
   * A value serializer on a shared client; {@link #configure} then only sets whether it serializes
   * keys.
   *
   * @param autoRegister register the record's schema if needed, else look it up
   * @param useLatestVersion write with the subject's latest version
   */
  public AvroSerializer(
      SchemaRegistryClient client, boolean autoRegister, boolean useLatestVersion) {
    this.client = Objects.requireNonNull(client, "client");
    this.autoRegister = autoRegister;
    this.useLatestVersion = useLatestVersion;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.isKey = isKey;
    if (client == null) {
      AvroSerdeConfig config = new AvroSerdeConfig(configs);
      this.client = new SchemaRegistryClient(config.registryConfig());
      this.autoRegister = config.autoRegisterSchemas();
      this.useLatestVersion = config.useLatestVersion();
    }
  }

  @Override
  public byte[] serialize(String topic, T record) {
    if (record == null) {
      return null;
    }
    if (client == null) {
      throw new IllegalStateException(
          "AvroSerializer is not configured: call configure() or pass a client");
    }
    String subject = topic + (isKey ? "-key" : "-value");
    Schema schema = record.getSchema();
    PlanKey key = new PlanKey(subject, schema);
    Plan plan = plans.get(key);
    if (plan == null) {
      plan = plan(subject, schema);
      plans.putIfAbsent(key, plan);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    WireFormat.writeHeader(out, plan.schemaId());
    try {
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      if (plan.convert()) {
        writerFor(plan.writerSchema(), false)
            .write(toWriterSchema(record, plan.writerSchema()), encoder);
      } else {
        writerFor(schema, true).write(record, encoder);
      }
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "Cannot serialize "
              + schema.getFullName()
              + " for topic "
              + topic
              + ": "
              + e.getMessage(),
          e);
    }
    return out.toByteArray();
  }

  private Plan plan(String subject, Schema schema) {
    try {
      if (useLatestVersion) {
        RegisteredSchema latest = client.getLatest(subject);
        if (latest.schema().equals(schema)) {
          return new Plan(latest.id(), schema, false);
        }
        SchemaCompatibility.SchemaPairCompatibility compatibility =
            SchemaCompatibility.checkReaderWriterCompatibility(latest.schema(), schema);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
          throw new SerializationException(
              "Latest version "
                  + latest.version()
                  + " (id "
                  + latest.id()
                  + ") of subject "
                  + subject
                  + " cannot represent records of "
                  + schema.getFullName()
                  + ": "
                  + compatibility.getDescription());
        }
        return new Plan(latest.id(), latest.schema(), true);
      }
      if (autoRegister) {
        return new Plan(client.register(subject, schema), schema, false);
      }
      try {
        return new Plan(client.lookup(subject, schema), schema, false);
      } catch (SubjectNotFoundException | SchemaNotFoundException e) {
        throw new SerializationException(
            "Schema "
                + schema.getFullName()
                + " is not registered under subject "
                + subject
                + " and auto.register.schemas is false: register it first (or enable auto.register.schemas)",
            e);
      }
    } catch (SchemaRegistryException e) {
      throw new SerializationException(
          "Schema registry failed for subject " + subject + ": " + e.getMessage(), e);
    }
  }

  private DatumWriter<Object> writerFor(Schema schema, boolean specific) {
    return specific
        ? specificWriters.computeIfAbsent(
            schema, s -> new SpecificDatumWriter<>(s, SpecificData.getForSchema(s)))
        : genericWriters.computeIfAbsent(schema, GenericDatumWriter::new);
  }

  /**
   * Re-reads the record's binary form as the writer schema (Avro resolution fills defaults, drops
   * extras).
   */
  private Object toWriterSchema(T record, Schema writerSchema) throws IOException {
    ByteArrayOutputStream own = new ByteArrayOutputStream(256);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(own, null);
    writerFor(record.getSchema(), true).write(record, encoder);
    encoder.flush();
    return new GenericDatumReader<>(record.getSchema(), writerSchema)
        .read(null, DecoderFactory.get().binaryDecoder(own.toByteArray(), null));
  }

  @Override
  public void close() {
    // nothing to release: the registry client holds no resources that need closing
  }
}
