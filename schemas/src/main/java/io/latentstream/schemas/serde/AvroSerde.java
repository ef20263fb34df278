package io.latentstream.schemas.serde;

import io.latentstream.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@link AvroSerializer} and {@link AvroDeserializer} of one generated record type as a Kafka
 * {@link Serde}, e.g. for Kafka Streams. Both halves share one {@link SchemaRegistryClient} (and so
 * its caches). Thread-safe.
 *
 * @param <T> the generated record type
 */
public class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  private final AvroSerializer<T> serializer;
  private final AvroDeserializer<T> deserializer;

  /**
   * For reflective instantiation (e.g. Kafka Streams' {@code default.value.serde}): {@link
   * #configure} then builds the client from the {@link AvroSerdeConfig} keys and needs {@code
   * specific.avro.value.type} (or {@code .key.type}).
   */
  public AvroSerde() {
    this.serializer = new AvroSerializer<>();
    this.deserializer = new AvroDeserializer<>();
  }

  /** Registers schemas automatically. */
  public AvroSerde(SchemaRegistryClient client, Class<T> type) {
    this(client, type, true);
  }

  public AvroSerde(SchemaRegistryClient client, Class<T> type, boolean autoRegister) {
    this.serializer = new AvroSerializer<>(client, autoRegister, false);
    this.deserializer = new AvroDeserializer<>(client, type);
  }

  /**
   * Passes the configuration on: with a client given to the constructor only {@code isKey} matters
   * (subject {@code <topic>-key} vs {@code -value}); otherwise both halves build their client from
   * the config.
   */
  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    serializer.configure(configs, isKey);
    deserializer.configure(configs, isKey);
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }

  @Override
  public void close() {
    serializer.close();
    deserializer.close();
  }
}
