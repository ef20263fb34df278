package io.latentstream.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;

/**
 * A single-node Kafka broker in KRaft combined mode (broker and controller in one process), run as
 * a supervised child JVM on 127.0.0.1 with its data in a persistent directory.
 *
 * <p>Replication factors are 1 (offsets, transactions, share state) so consumer groups and
 * transactions work on one node. The storage is formatted on the first start only; later starts
 * reuse the data, topics included. Thread-safe; the caller of {@link Builder#start()} owns the
 * broker and closes it (SIGTERM: Kafka shuts down cleanly; closing twice is harmless).
 */
public final class LocalKafkaBroker implements AutoCloseable {
  public static final int DEFAULT_PORT = 9092;
  public static final int DEFAULT_CONTROLLER_PORT = 9093;

  /** Default {@code message.max.bytes}: room for large raw frames. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

  private final int port;
  private final Path dataDir;
  private final ChildJvm child;

  private LocalKafkaBroker(int port, Path dataDir, ChildJvm child) {
    this.port = port;
    this.dataDir = dataDir;
    this.child = child;
  }

  /** Starts describing a broker. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code bootstrap.servers} for clients, e.g. {@code 127.0.0.1:9092}. */
  public String bootstrapServers() {
    return LoopbackPorts.HOST + ":" + port;
  }

  /** The client port. */
  public int port() {
    return port;
  }

  /** The directory holding {@code server.properties}, the log dirs and the log file. */
  public Path dataDir() {
    return dataDir;
  }

  /** The child JVM (for its pid and log). */
  public ChildJvm process() {
    return child;
  }

  /** Stops the broker (SIGTERM, clean shutdown). */
  @Override
  public void close() {
    child.stop();
  }

  @Override
  public String toString() {
    return "LocalKafkaBroker[" + bootstrapServers() + ", " + child + "]";
  }

  /** The content of {@code server.properties} for the given settings (visible for tests). */
  static Properties serverProperties(
      int port, int controllerPort, Path logDir, int maxMessageBytes) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@" + LoopbackPorts.HOST + ":" + controllerPort);
    p.setProperty(
        "listeners",
        "PLAINTEXT://"
            + LoopbackPorts.HOST
            + ":"
            + port
            + ",CONTROLLER://"
            + LoopbackPorts.HOST
            + ":"
            + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://" + LoopbackPorts.HOST + ":" + port);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", logDir.toAbsolutePath().toString());
    p.setProperty("num.partitions", "1");
    p.setProperty("default.replication.factor", "1");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("message.max.bytes", Integer.toString(maxMessageBytes));
    p.setProperty("replica.fetch.max.bytes", Integer.toString(maxMessageBytes));
    return p;
  }

  /** Describes a broker to start; not thread-safe. */
  public static final class Builder {
    private int port = DEFAULT_PORT;
    private int controllerPort = DEFAULT_CONTROLLER_PORT;
    private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    private Path dataDir;
    private PlatformPaths paths;
    private Duration startTimeout = Duration.ofSeconds(90);
    private String portHint = "--broker-port";
    private String controllerPortHint = "--controller-port";

    private Builder() {}

    /** Required: persistent directory for {@code server.properties}, the data and the log file. */
    public Builder setDataDir(Path value) {
      this.dataDir = value;
      return this;
    }

    /** Client port; default {@value LocalKafkaBroker#DEFAULT_PORT}. */
    public Builder optPort(int value) {
      this.port = value;
      return this;
    }

    /**
     * Controller (KRaft quorum) port; default {@value LocalKafkaBroker#DEFAULT_CONTROLLER_PORT}.
     */
    public Builder optControllerPort(int value) {
      this.controllerPort = value;
      return this;
    }

    /** {@code message.max.bytes} and {@code replica.fetch.max.bytes}; default 8 MiB. */
    public Builder optMaxMessageBytes(int value) {
      this.maxMessageBytes = value;
      return this;
    }

    /** Where to find the broker jars; default {@link PlatformPaths#resolve()}. */
    public Builder optPaths(PlatformPaths value) {
      this.paths = value;
      return this;
    }

    /** How long to wait for the broker to answer; default 90 s. */
    public Builder optStartTimeout(Duration value) {
      this.startTimeout = value;
      return this;
    }

    /** How the user picks other ports, named when a port is taken. */
    public Builder optPortHints(String brokerPortHint, String controllerPortHint) {
      this.portHint = brokerPortHint;
      this.controllerPortHint = controllerPortHint;
      return this;
    }

    /**
     * Formats the storage if needed, starts the broker and waits until an admin client can describe
     * the cluster.
     *
     * @throws PortInUseException when a port is taken (checked before anything starts)
     * @throws IllegalStateException when formatting or start-up fails; the message has the log tail
     */
    public LocalKafkaBroker start() throws InterruptedException {
      Objects.requireNonNull(dataDir, "dataDir");
      PlatformPaths resolved = paths != null ? paths : PlatformPaths.resolve();
      List<Path> jars = resolved.kafkaJars();
      LoopbackPorts.requireFree(port, "Kafka broker", portHint);
      LoopbackPorts.requireFree(controllerPort, "Kafka controller", controllerPortHint);

      Path logDir = dataDir.resolve("kafka-logs");
      Path config = dataDir.resolve("server.properties");
      try {
        Files.createDirectories(logDir);
        try (Writer out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
          serverProperties(port, controllerPort, logDir, maxMessageBytes)
              .store(out, "written by latentstream LocalKafkaBroker on every start");
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + config, e);
      }
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(jars, config);
      }
      // The parallel collector: under G1 the requests that carry raw frames (~1 MB each, several
      // per request
      // when a producer sends to several partitions at once) are humongous allocations even with 4
      // MB
      // regions, and its concurrent marking cost the broker as much CPU as its request handlers;
      // they die
      // young, which the parallel collector handles cheaply (BENCHMARKS.md, pipeline).
      ChildJvm child =
          kafkaJvm("kafka-broker", "kafka.Kafka", jars)
              .optJvmOption("-XX:+UseParallelGC")
              .optArgs(config.toString())
              .start();
      LocalKafkaBroker broker = new LocalKafkaBroker(port, dataDir, child);
      try {
        awaitReady(broker);
      } catch (RuntimeException | InterruptedException e) {
        broker.close();
        throw e;
      }
      return broker;
    }

    private ChildJvm.Builder kafkaJvm(String name, String mainClass, List<Path> jars) {
      return ChildJvm.builder(name, mainClass)
          .setDataDir(dataDir)
          .optClasspath(jars)
          .optJvmOption("-Djava.io.tmpdir=" + dataDir.toAbsolutePath());
    }

    private void format(List<Path> jars, Path config) throws InterruptedException {
      String clusterId = Uuid.randomUuid().toString();
      ChildJvm tool =
          kafkaJvm("kafka-storage-format", "kafka.tools.StorageTool", jars)
              .optMaxHeap("256m")
              .optJvmOption(
                  "-XX:TieredStopAtLevel=1") // a one-shot tool: start-up is all that counts
              .optJvmOption("-XX:+UseSerialGC")
              .optArgs("format", "-t", clusterId, "-c", config.toString())
              .start();
      int exit = tool.awaitExit(startTimeout);
      if (exit != 0) {
        throw new IllegalStateException(
            "formatting Kafka storage in "
                + dataDir
                + " failed (exit "
                + exit
                + "); log "
                + tool.logFile()
                + ", tail:\n"
                + tool.logTail(40));
      }
    }

    private void awaitReady(LocalKafkaBroker broker) throws InterruptedException {
      Map<String, Object> config =
          Map.of(
              AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
              AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
              AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000,
              AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
      long deadline = System.nanoTime() + startTimeout.toNanos();
      String lastError = "no answer yet";
      try (Admin admin = Admin.create(config)) {
        while (System.nanoTime() < deadline) {
          if (!broker.child.isAlive()) {
            throw failure(broker, "exited during start-up");
          }
          try {
            Collection<Node> nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
            if (!nodes.isEmpty()) {
              return;
            }
            lastError = "no broker registered yet";
          } catch (ExecutionException | TimeoutException e) {
            lastError = String.valueOf(e.getCause() != null ? e.getCause() : e);
            Thread.sleep(200);
          }
        }
      }
      throw failure(broker, "did not answer within " + startTimeout + " (last: " + lastError + ")");
    }

    private static IllegalStateException failure(LocalKafkaBroker broker, String what) {
      return new IllegalStateException(
          "Kafka broker on "
              + broker.bootstrapServers()
              + " "
              + what
              + "; log "
              + broker.child.logFile()
              + ", tail:\n"
              + broker.child.logTail(40));
    }
  }
}
