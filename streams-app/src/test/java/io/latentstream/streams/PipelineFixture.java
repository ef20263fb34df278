package io.latentstream.streams;

import io.latentstream.codec.model.FixtureModels;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.serde.RecordSerdes;
import io.latentstream.testkit.TestPlatform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Configuration of one app instance on the shared test platform (unique topics, application id and state
 * directory; the fixture models), and plain clients to feed it and read what it wrote (read_committed).
 */
public final class PipelineFixture {

  private final TestPlatform platform;
  private final Map<String, Object> config = new HashMap<>();
  private final RecordSerdes serdes;

  public PipelineFixture(TestPlatform platform, int partitions) {
    this.platform = platform;
    String app = platform.uniqueName("encode-app");
    config.put(StreamsAppConfig.BOOTSTRAP_SERVERS, platform.bootstrapServers());
    config.put(StreamsAppConfig.SCHEMA_REGISTRY_URL, platform.registryUrl());
    config.put(StreamsAppConfig.APPLICATION_ID, app);
    config.put(StreamsAppConfig.GROUP_INSTANCE_ID, app + "-instance");
    for (String key : List.of(StreamsAppConfig.TOPIC_RAW, StreamsAppConfig.TOPIC_LATENT, StreamsAppConfig.TOPIC_DLQ,
        StreamsAppConfig.TOPIC_SAMPLE, StreamsAppConfig.TOPIC_DECODE_REQUESTS, StreamsAppConfig.TOPIC_DECODED,
        StreamsAppConfig.TOPIC_RELEASES, StreamsAppConfig.TOPIC_ARTIFACTS, StreamsAppConfig.TOPIC_KEYFRAME_REQUESTS)) {
      config.put(key, platform.uniqueName(key.substring("topic.".length())));
    }
    config.put(StreamsAppConfig.TOPIC_PARTITIONS, partitions);
    config.put(StreamsAppConfig.MODELS_DIR, FixtureModels.modelsDir().toString());
    config.put(StreamsAppConfig.MODEL_NAME, "default");
    config.put(StreamsAppConfig.MODEL_QUALITY, 2);
    config.put(StreamsAppConfig.HTTP_PORT, 0);
    config.put(StreamsAppConfig.PSNR_SAMPLE_RATE, 0.0);
    // a fresh state directory: application ids repeat across test runs (the broker does not), and a stale state
    // would have to be wiped and restored first
    config.put(StreamsConfig.STATE_DIR_CONFIG, freshDirectory(app + "-state-"));
    serdes = new RecordSerdes(new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl())));
  }

  /** A new, empty directory under {@code target/tmp}. */
  public static String freshDirectory(String prefix) {
    try {
      Path parent = Files.createDirectories(Paths.get("target", "tmp"));
      return Files.createTempDirectory(parent, prefix).toAbsolutePath().toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public PipelineFixture set(String key, Object value) {
    config.put(key, value);
    return this;
  }

  public StreamsAppConfig config() {
    return StreamsAppConfig.of(config);
  }

  public String topic(String key) {
    return (String) config.get(key);
  }

  public RecordSerdes serdes() {
    return serdes;
  }

  public KafkaProducer<byte[], byte[]> producer() {
    Map<String, Object> p = platform.clientConfig();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Reads a topic from the beginning with read_committed until {@code expected} records arrived or the timeout
   * passed, then keeps reading up to the end offsets so that extra (duplicate) records are seen too.
   */
  public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, int expected, Duration timeout) {
    Map<String, Object> c = platform.clientConfig();
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && System.nanoTime() < deadline + Duration.ofSeconds(5).toNanos()) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
