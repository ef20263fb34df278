package io.latentstream.testkit;

import java.util.Map;

/**
 * The broker and schema registry shared by every {@link RealPlatform} test class of one test JVM.
 *
 * <p>Thread-safe. The platform belongs to {@link RealPlatformExtension}, which closes it at the end
 * of the test run: tests never close it. Because test classes share the broker, name topics,
 * consumer groups and application ids with {@link #uniqueName(String)}.
 */
public interface TestPlatform {

  /**
   * {@code bootstrap.servers} of the in-process KRaft broker: PLAINTEXT on the loopback interface,
   * e.g. {@code localhost:41349} (the Kafka test kit names its listeners {@code localhost}).
   */
  String bootstrapServers();

  /**
   * Base URL of the registry's Confluent-compatible API, e.g. {@code
   * http://127.0.0.1:PORT/apis/ccompat/v7}.
   */
  String registryUrl();

  /**
   * {@code prefix} plus a suffix that is unique for every call in this JVM, e.g. {@code
   * images.raw-7}.
   */
  String uniqueName(String prefix);

  /**
   * Creates a topic with replication factor 1 and waits until it exists.
   *
   * @throws IllegalStateException when the broker refuses (e.g. the topic already exists)
   */
  default void createTopic(String name, int partitions) {
    createTopic(name, partitions, Map.of());
  }

  /**
   * Creates a topic with replication factor 1 and the given topic configs, and waits until it
   * exists.
   */
  void createTopic(String name, int partitions, Map<String, String> topicConfigs);

  /**
   * Creates a one-partition compacted topic that the broker's log cleaner compacts within seconds
   * of a segment roll (segments roll every 100 ms, any dirty ratio is cleaned, no compaction lag),
   * plus {@code extraConfigs}: for tests that must see what compaction keeps.
   */
  default void createFastCompactingTopic(String name, Map<String, String> extraConfigs) {
    Map<String, String> configs = new java.util.HashMap<>(extraConfigs);
    configs.put("cleanup.policy", "compact");
    configs.put("segment.ms", "100");
    configs.put("min.cleanable.dirty.ratio", "0.01");
    configs.put("min.compaction.lag.ms", "0");
    createTopic(name, 1, configs);
  }

  /**
   * A new, mutable map with {@code bootstrap.servers} and test defaults that suit producers,
   * consumers and Kafka Streams alike: {@code auto.offset.reset=earliest} and a {@code
   * max.request.size} that lets 8 MiB frames through. Clients log a warning for keys they do not
   * know; that is harmless.
   */
  Map<String, Object> clientConfig();
}
