package io.latentstream.streams.serde;

import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.serde.AvroDeserializer;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.schemas.serde.AvroSerdeConfig;
import io.latentstream.streams.config.StreamsAppConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The value serdes of the topics this app reads and writes, all on one shared {@link
 * SchemaRegistryClient} (so they share its caches). Record keys are camera ids as plain UTF-8 bytes
 * and need no registry.
 *
 * <p>Thread-safe; the serdes hold no resources, so nothing needs closing.
 */
public final class RecordSerdes {

  private final SchemaRegistryClient client;
  private final AvroSerde<RawFrame> rawFrame;
  private final AvroSerde<LatentFrame> latentFrame;
  private final AvroSerde<DeadLetter> deadLetter;

  public RecordSerdes(SchemaRegistryClient client) {
    this.client = Objects.requireNonNull(client, "client");
    this.rawFrame = new AvroSerde<>(client, RawFrame.class);
    this.latentFrame = new AvroSerde<>(client, LatentFrame.class);
    this.deadLetter = new AvroSerde<>(client, DeadLetter.class);
  }

  /**
   * A registry client for the configured URL; registry security settings ({@code basic.auth.*},
   * {@code schema.registry.ssl.*}, retries, timeouts: the Confluent key names) are taken from the
   * pass-through keys.
   */
  public static SchemaRegistryClient client(StreamsAppConfig config) {
    Map<String, Object> registry = new HashMap<>(config.kafkaOverrides());
    registry.put(
        AvroSerdeConfig.SCHEMA_REGISTRY_URL,
        config.getString(StreamsAppConfig.SCHEMA_REGISTRY_URL));
    return new SchemaRegistryClient(new AvroSerdeConfig(registry).registryConfig());
  }

  public SchemaRegistryClient client() {
    return client;
  }

  public AvroSerde<RawFrame> rawFrame() {
    return rawFrame;
  }

  /**
   * A deserializer of raw frames for processors that read the value bytes themselves (to keep the
   * original bytes and coordinates of a bad record for its dead letter).
   */
  public AvroDeserializer<RawFrame> rawFrameDeserializer() {
    return new AvroDeserializer<>(client, RawFrame.class);
  }

  public AvroSerde<LatentFrame> latentFrame() {
    return latentFrame;
  }

  public AvroSerde<DeadLetter> deadLetter() {
    return deadLetter;
  }
}
