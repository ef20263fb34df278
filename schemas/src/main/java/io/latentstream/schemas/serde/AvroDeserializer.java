package io.latentstream.schemas.serde;

import io.latentstream.schemas.registry.SchemaNotFoundException;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryException;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer of Confluent wire-format payloads into a generated Avro record type. The
 * writer schema is fetched by the id in the header and resolved into the reader type (Avro schema
 * resolution: added fields take their defaults, removed fields are skipped); one datum reader is
 * cached per writer schema id.
 *
 * <p>Every way the bytes can be wrong raises an {@link InvalidPayloadException} whose {@code
 * reason()} is the dead-letter reason: {@link UnknownMagicByteException} (empty, wrong magic byte),
 * {@link TruncatedPayloadException} (shorter than the header, Avro data cut short), {@link
 * UnknownSchemaIdException}, {@link SchemaMismatchException} (written with a schema that cannot be
 * read as this type) and {@link MalformedPayloadException}. A registry that cannot be reached gives
 * a plain {@link SerializationException} instead: the record is not at fault.
 *
 * <p>By Kafka's convention a {@code null} value (a tombstone on a compacted topic) deserializes to
 * {@code null}; callers must handle it. No other input yields {@code null}.
 *
 * <p>Thread-safe. Create it with a {@link SchemaRegistryClient} the caller owns, or with the
 * no-argument constructor plus {@link #configure}, which needs {@code specific.avro.value.type} (or
 * {@code .key.type}) and the registry keys of {@link AvroSerdeConfig}. {@link #close()} releases
 * nothing.
 *
 * @param <T> the generated record type
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

  /** How payloads of one writer schema id are read: a reader, or why there is none. */
  private record Plan<T>(SpecificDatumReader<T> reader, String writerName, String mismatch) {}

  private SchemaRegistryClient client;
  private Class<T> type;
  private Schema readerSchema;
  private SpecificData model;
  private final ConcurrentMap<Integer, Plan<T>> plans = new ConcurrentHashMap<>();

  /** For Kafka's reflective instantiation; {@link #configure} must be called before use. */
  public AvroDeserializer() {}

  /** A deserializer of {@code type} on a shared client; {@link #configure} then changes nothing. */
  public AvroDeserializer(SchemaRegistryClient client, Class<T> type) {
    this.client = Objects.requireNonNull(client, "client");
    setType(Objects.requireNonNull(type, "type"));
  }

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (client != null) {
      return;
    }
    AvroSerdeConfig config = new AvroSerdeConfig(configs);
    Class<?> configured =
        config
            .specificType(isKey)
            .orElseThrow(
                () ->
                    new ConfigException(
                        (isKey
                                ? AvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE
                                : AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE)
                            + " must name the generated Avro class to deserialize into"));
    if (!SpecificRecord.class.isAssignableFrom(configured)) {
      throw new ConfigException(
          configured.getName() + " is not a generated Avro SpecificRecord class");
    }
    setType((Class<T>) configured);
    this.client = new SchemaRegistryClient(config.registryConfig());
  }

  private void setType(Class<T> type) {
    this.type = type;
    this.model = SpecificData.getForClass(type);
    this.readerSchema = model.getSchema(type);
  }

  /** The type this deserializer produces. */
  public Class<T> type() {
    return type;
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (client == null) {
      throw new IllegalStateException(
          "AvroDeserializer is not configured: call configure() or pass a client");
    }
    int schemaId = WireFormat.readSchemaId(data);
    Plan<T> plan = plans.get(schemaId);
    if (plan == null) {
      plan = plan(schemaId);
      Plan<T> previous = plans.putIfAbsent(schemaId, plan);
      plan = previous != null ? previous : plan;
    }
    if (plan.reader() == null) {
      throw new SchemaMismatchException(
          schemaId, plan.writerName(), readerSchema.getFullName(), plan.mismatch());
    }
    BoundedBinaryDecoder decoder = new BoundedBinaryDecoder(data, WireFormat.HEADER_SIZE);
    T record;
    try {
      record = plan.reader().read(null, decoder);
    } catch (EOFException e) {
      throw new TruncatedPayloadException(
          "Avro data of schema id "
              + schemaId
              + " ("
              + plan.writerName()
              + ") ends early on topic "
              + topic
              + ": "
              + e.getMessage(),
          e);
    } catch (IOException | RuntimeException e) {
      // anything the decoder throws on these bytes means the bytes are garbage
      throw new MalformedPayloadException(
          "Malformed Avro data for schema id "
              + schemaId
              + " ("
              + plan.writerName()
              + ") on topic "
              + topic
              + ": "
              + e,
          e);
    }
    if (decoder.remaining() > 0) {
      throw new MalformedPayloadException(
          decoder.remaining()
              + " byte(s) left after a complete "
              + plan.writerName()
              + " (schema id "
              + schemaId
              + ") on topic "
              + topic,
          null);
    }
    return record;
  }

  private Plan<T> plan(int schemaId) {
    Schema writerSchema;
    try {
      writerSchema = client.getById(schemaId);
    } catch (SchemaNotFoundException e) {
      throw new UnknownSchemaIdException(schemaId, e);
    } catch (SchemaRegistryException e) {
      throw new SerializationException(
          "Cannot fetch writer schema id " + schemaId + ": " + e.getMessage(), e);
    }
    SchemaCompatibility.SchemaPairCompatibility compatibility =
        SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
    if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      return new Plan<>(null, writerSchema.getFullName(), compatibility.getDescription());
    }
    return new Plan<>(
        new SpecificDatumReader<>(writerSchema, readerSchema, model),
        writerSchema.getFullName(),
        null);
  }

  @Override
  public void close() {
    // nothing to release: the registry client holds no resources that need closing
  }
}
