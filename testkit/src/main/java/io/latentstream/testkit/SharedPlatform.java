package io.latentstream.testkit;

import io.latentstream.platform.LocalSchemaRegistry;
import io.latentstream.platform.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link TestPlatform} of a test JVM: an in-process KRaft broker ({@link
 * KafkaClusterTestKit}, combined mode, one node) and an Apicurio registry child JVM ({@link
 * LocalSchemaRegistry}) on a free port.
 *
 * <p>Thread-safe. Owned by the root extension-context store, which closes it at the end of the run;
 * a shutdown hook closes it if the run ends some other way. {@link #close()} may be called any
 * number of times.
 */
final class SharedPlatform implements TestPlatform, AutoCloseable {
  /** Broker {@code message.max.bytes}: an 8 MiB frame plus room for the record envelope. */
  static final int MAX_MESSAGE_BYTES = 8 * 1024 * 1024 + 256 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(SharedPlatform.class);
  private static final long TIMEOUT_SECONDS = 60;

  private final KafkaClusterTestKit cluster;
  private final LocalSchemaRegistry registry;
  private final Admin admin;
  private final AtomicLong names = new AtomicLong();
  private final Thread shutdownHook;
  private boolean closed;

  private SharedPlatform(KafkaClusterTestKit cluster, LocalSchemaRegistry registry) {
    this.cluster = cluster;
    this.registry = registry;
    this.admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    this.shutdownHook = new Thread(this::close, "latentstream-testkit-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts broker and registry (the registry JVM boots while the broker starts). */
  static SharedPlatform start() {
    long started = System.nanoTime();
    Path target = targetDir();
    try {
      // The test kit puts its log dirs under java.io.tmpdir, which our build points at a target/tmp
      // that
      // may not exist yet.
      Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LocalSchemaRegistry.Starting registry =
        LocalSchemaRegistry.builder()
            .setDataDir(target.resolve("latentstream-registry"))
            .optPort(LoopbackPorts.findFree())
            .optPortHint("another free port (the testkit picks one at random; retry)")
            .launch();
    KafkaClusterTestKit cluster = null;
    try {
      cluster = startBroker();
      SharedPlatform platform = new SharedPlatform(cluster, registry.awaitReady());
      LOG.info(
          "test platform up in {} ms: broker {}, registry {}",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
          platform.bootstrapServers(),
          platform.registryUrl());
      return platform;
    } catch (Exception e) {
      registry.abort();
      closeQuietly(cluster);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("cannot start the test platform: " + e.getMessage(), e);
    }
  }

  private static KafkaClusterTestKit startBroker() throws Exception {
    TestKitNodes nodes =
        new TestKitNodes.Builder()
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            .build();
    KafkaClusterTestKit cluster =
        new KafkaClusterTestKit.Builder(nodes)
            // The test kit keeps Kafka's defaults (RF 3) otherwise: initTransactions() would time
            // out.
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "5")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("transaction.state.log.num.partitions", "5")
            .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
            .setConfigProp("share.coordinator.state.topic.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .setConfigProp("message.max.bytes", Integer.toString(MAX_MESSAGE_BYTES))
            .setConfigProp("replica.fetch.max.bytes", Integer.toString(MAX_MESSAGE_BYTES))
            .build();
    try {
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      return cluster;
    } catch (Exception e) {
      closeQuietly(cluster);
      throw e;
    }
  }

  @Override
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  @Override
  public String registryUrl() {
    return registry.ccompatUrl();
  }

  @Override
  public String uniqueName(String prefix) {
    return prefix + "-" + names.incrementAndGet();
  }

  @Override
  public void createTopic(String name, int partitions, Map<String, String> topicConfigs) {
    try {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(topicConfigs)))
          .all()
          .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      awaitLeaders(name);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot create topic " + name + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("creating topic " + name + " timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    }
  }

  /** Waits until every partition has a leader, so the first produce does not hit NOT_LEADER. */
  private void awaitLeaders(String name)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (true) {
      try {
        TopicDescription description =
            admin
                .describeTopics(List.of(name))
                .allTopicNames()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .get(name);
        if (description.partitions().stream()
            .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
          return;
        }
      } catch (ExecutionException e) {
        // Metadata of a just-created topic reaches the broker's cache a moment later.
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("no leader for every partition of " + name);
      }
      Thread.sleep(20);
    }
  }

  @Override
  public Map<String, Object> clientConfig() {
    Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_MESSAGE_BYTES);
    return config;
  }

  /**
   * Closes the admin client, the broker and the registry. Idempotent: the test kit's close is not.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    LOG.info(
        "stopping the test platform (broker {}, registry {})", bootstrapServers(), registryUrl());
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // we are the hook, or the JVM is exiting anyway
    }
    admin.close();
    closeQuietly(cluster);
    registry.close();
  }

  private static void closeQuietly(KafkaClusterTestKit cluster) {
    if (cluster == null) {
      return;
    }
    try {
      cluster.close();
    } catch (Exception e) {
      LOG.warn("closing the in-process broker failed", e);
    }
  }

  /** {@code target/} of the module under test (surefire sets {@code basedir}). */
  private static Path targetDir() {
    return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).resolve("target");
  }
}
