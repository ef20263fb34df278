package io.latentstream.streams.topology;

import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.errors.TopicConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics this app reads and writes, with the settings it needs, created at start when missing
 * (if {@code topic.create}) and verified when present.
 *
 * <p>Frame topics get the configured partitions and replication factor and a {@code
 * max.message.bytes} of {@code frame.max.bytes} plus room for the record envelope (the producer's
 * {@code max.request.size} is set from the same key, so a frame that one accepts the other accepts
 * too). Model topics are compacted with one partition (one ordered history per model name).
 *
 * <p>Verification fails when partitions differ, the replication factor or {@code max.message.bytes}
 * is lower than needed, or the cleanup policy differs: running against such topics would lose
 * ordering guarantees or reject frames at runtime, so it is better to refuse to start with a
 * message that names what to fix.
 *
 * <p>Stateless; the caller owns the {@link Admin} client.
 */
public final class Topics {

  /**
   * Room for the record envelope (headers, Avro fields besides the pixels, batch overhead) above a
   * frame.
   */
  public static final int ENVELOPE_BYTES = 64 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(Topics.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** One topic and the settings it must have. */
  public record TopicSpec(
      String name, int partitions, short replicationFactor, Map<String, String> configs) {

    NewTopic toNewTopic() {
      return new NewTopic(name, partitions, replicationFactor).configs(configs);
    }
  }

  private Topics() {}

  /** The largest record the frame topics and the producer accept. */
  public static int maxMessageBytes(StreamsAppConfig config) {
    return config.getInt(StreamsAppConfig.FRAME_MAX_BYTES) + ENVELOPE_BYTES;
  }

  /**
   * Configuration of a consumer outside the streams app (the release watcher, the live page, the
   * demo and the benchmarks) that reads the app's topics as a consumer of {@code images.latent}
   * would: the pass-through Kafka settings a consumer knows (security), read_committed, no group
   * and no offset commits (callers assign partitions and seek), and records as large as the frame
   * topics hold.
   */
  public static Map<String, Object> readerConfig(StreamsAppConfig config) {
    Map<String, Object> c = clientConfig(config, ConsumerConfig.configNames());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, maxMessageBytes(config));
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    return c;
  }

  /**
   * Configuration of a producer outside the streams app (the demo's and the benchmark's cameras):
   * the pass-through Kafka settings a producer knows, acks=all with idempotence, and records as
   * large as the frame topics hold.
   */
  public static Map<String, Object> writerConfig(StreamsAppConfig config, String clientId) {
    Map<String, Object> p = clientConfig(config, ProducerConfig.configNames());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxMessageBytes(config));
    return p;
  }

  /** A consumer of keys and values as bytes, e.g. with {@link #readerConfig}. */
  public static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> settings) {
    return new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** A producer of keys and values as bytes, e.g. with {@link #writerConfig}. */
  public static KafkaProducer<byte[], byte[]> producer(Map<String, Object> settings) {
    return new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static Map<String, Object> clientConfig(StreamsAppConfig config, Set<String> known) {
    Map<String, Object> c = new HashMap<>(config.kafkaOverrides());
    // the pass-through keys also hold other clients' and Kafka Streams' keys
    c.keySet().retainAll(known);
    c.put(
        CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        config.getString(StreamsAppConfig.BOOTSTRAP_SERVERS));
    return c;
  }

  /** Every topic of the app, from the configuration. */
  public static List<TopicSpec> specs(StreamsAppConfig config) {
    int partitions = config.getInt(StreamsAppConfig.TOPIC_PARTITIONS);
    short rf = config.getShort(StreamsAppConfig.TOPIC_REPLICATION_FACTOR);
    String maxBytes = Integer.toString(maxMessageBytes(config));
    Map<String, String> frames =
        Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
            maxBytes);
    Map<String, String> compacted =
        Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
            maxBytes);
    List<TopicSpec> specs = new ArrayList<>();
    for (String key :
        List.of(
            StreamsAppConfig.TOPIC_RAW,
            StreamsAppConfig.TOPIC_LATENT,
            StreamsAppConfig.TOPIC_DLQ,
            StreamsAppConfig.TOPIC_SAMPLE,
            StreamsAppConfig.TOPIC_DECODE_REQUESTS,
            StreamsAppConfig.TOPIC_DECODED,
            StreamsAppConfig.TOPIC_KEYFRAME_REQUESTS)) {
      specs.add(new TopicSpec(config.getString(key), partitions, rf, frames));
    }
    specs.add(new TopicSpec(config.getString(StreamsAppConfig.TOPIC_RELEASES), 1, rf, compacted));
    specs.add(new TopicSpec(config.getString(StreamsAppConfig.TOPIC_ARTIFACTS), 1, rf, compacted));
    return specs;
  }

  /**
   * Creates the missing topics (when {@code create}) and verifies all of them.
   *
   * @return the names of the topics this call created
   * @throws TopicConfigurationException listing every mismatch, or the missing topics when {@code
   *     create} is off
   * @throws KafkaException when the cluster cannot be reached
   */
  public static List<String> ensure(Admin admin, Collection<TopicSpec> specs, boolean create) {
    Map<String, TopicSpec> byName = new LinkedHashMap<>();
    specs.forEach(s -> byName.put(s.name(), s));
    Map<String, TopicDescription> existing = describe(admin, byName.keySet());
    List<String> created = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (TopicSpec spec : byName.values()) {
      if (existing.containsKey(spec.name())) {
        continue;
      }
      if (!create) {
        problems.add(
            spec.name()
                + ": missing (topic.create=false; create it with "
                + spec.partitions()
                + " partitions, replication factor "
                + spec.replicationFactor()
                + ", "
                + spec.configs()
                + ")");
        continue;
      }
      try {
        get(admin.createTopics(List.of(spec.toNewTopic())).all());
        created.add(spec.name());
        LOG.info(
            "created topic {} ({} partitions, RF {}, {})",
            spec.name(),
            spec.partitions(),
            spec.replicationFactor(),
            spec.configs());
      } catch (TopicExistsException e) {
        LOG.info("topic {} was created concurrently; verifying it", spec.name());
      }
    }
    if (!problems.isEmpty()) {
      throw new TopicConfigurationException(problems);
    }
    existing = awaitDescribed(admin, byName.keySet());
    Map<String, Config> configs = describeConfigs(admin, existing.keySet());
    for (TopicSpec spec : byName.values()) {
      TopicDescription d = existing.get(spec.name());
      if (d == null) {
        problems.add(spec.name() + ": still missing after creation");
        continue;
      }
      problems.addAll(verify(spec, d, configs.get(spec.name())));
    }
    if (!problems.isEmpty()) {
      throw new TopicConfigurationException(problems);
    }
    return created;
  }

  /** The differences between a topic and its spec, one line each. */
  static List<String> verify(TopicSpec spec, TopicDescription topic, Config config) {
    List<String> problems = new ArrayList<>();
    int partitions = topic.partitions().size();
    if (partitions != spec.partitions()) {
      problems.add(
          problem(
              spec.name(),
              "partitions",
              Integer.toString(spec.partitions()),
              Integer.toString(partitions)));
    }
    int rf = topic.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
    if (rf < spec.replicationFactor()) {
      problems.add(
          problem(
              spec.name(),
              "replication factor",
              ">= " + spec.replicationFactor(),
              Integer.toString(rf)));
    }
    String policy =
        value(config, TopicConfig.CLEANUP_POLICY_CONFIG).orElse(TopicConfig.CLEANUP_POLICY_DELETE);
    String expectedPolicy = spec.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG);
    if (expectedPolicy != null && !policy.replace(" ", "").equals(expectedPolicy)) {
      problems.add(problem(spec.name(), TopicConfig.CLEANUP_POLICY_CONFIG, expectedPolicy, policy));
    }
    String expectedBytes = spec.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
    Optional<String> bytes = value(config, TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
    if (expectedBytes != null
        && bytes.isPresent()
        && Long.parseLong(bytes.get()) < Long.parseLong(expectedBytes)) {
      problems.add(
          problem(
              spec.name(),
              TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
              ">= " + expectedBytes + " (frame.max.bytes + " + ENVELOPE_BYTES + ")",
              bytes.get()));
    }
    return problems;
  }

  private static String problem(String topic, String setting, String expected, String actual) {
    return "topic " + topic + ": " + setting + " expected " + expected + ", actual " + actual;
  }

  private static Optional<String> value(Config config, String name) {
    if (config == null) {
      return Optional.empty();
    }
    ConfigEntry entry = config.get(name);
    return entry == null || entry.value() == null ? Optional.empty() : Optional.of(entry.value());
  }

  /** Describes the topics, retrying while the metadata of newly created ones propagates. */
  private static Map<String, TopicDescription> awaitDescribed(
      Admin admin, Collection<String> names) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      Map<String, TopicDescription> found = describe(admin, names);
      if (found.size() == names.size() || System.nanoTime() > deadline) {
        return found;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KafkaException("interrupted", e);
      }
    }
  }

  private static Map<String, TopicDescription> describe(Admin admin, Collection<String> names) {
    Map<String, TopicDescription> out = new HashMap<>();
    admin
        .describeTopics(names)
        .topicNameValues()
        .forEach(
            (name, future) -> {
              try {
                out.put(name, get(future));
              } catch (UnknownTopicOrPartitionException e) {
                // missing: created or reported by the caller
              }
            });
    return out;
  }

  private static Map<String, Config> describeConfigs(Admin admin, Collection<String> names) {
    List<ConfigResource> resources =
        names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
    Map<String, Config> out = new HashMap<>();
    get(admin.describeConfigs(resources).all()).forEach((r, c) -> out.put(r.name(), c));
    return out;
  }

  private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof KafkaException k) {
        throw k;
      }
      throw new KafkaException(e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaException(
          "the Kafka cluster did not answer within " + TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted", e);
    }
  }
}
