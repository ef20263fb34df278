package io.latentstream.platform;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The local infrastructure of {@code ./latentstream demo}: a {@link LocalKafkaBroker} and a {@link
 * LocalSchemaRegistry}, started together (the registry boots while the broker formats and starts)
 * and stopped together.
 *
 * <p>Data lives in {@code <dataDir>/kafka} and {@code <dataDir>/registry} (the registry's log, and
 * its schemas in {@code db/}), both kept across runs: a platform started again on the same
 * directory serves the same topics and the same schema ids, so every record on them stays readable.
 * Thread-safe; the caller of {@link Builder#start()} owns the platform and closes it; closing twice
 * is harmless.
 */
public final class LocalPlatform implements AutoCloseable {
  private final LocalKafkaBroker broker;
  private final LocalSchemaRegistry registry;

  private LocalPlatform(LocalKafkaBroker broker, LocalSchemaRegistry registry) {
    this.broker = broker;
    this.registry = registry;
  }

  /** Starts describing a platform with the default ports (9092, 9093, 8081). */
  public static Builder builder() {
    return new Builder();
  }

  /** The default data directory: {@code .latentstream/local} under the project root. */
  public static Path defaultDataDir(PlatformPaths paths) {
    return paths.home().resolve(".latentstream").resolve("local");
  }

  /** {@code bootstrap.servers} of the broker. */
  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /** Base URL of the registry's Confluent-compatible API. */
  public String registryUrl() {
    return registry.ccompatUrl();
  }

  /** The broker. */
  public LocalKafkaBroker broker() {
    return broker;
  }

  /** The registry. */
  public LocalSchemaRegistry registry() {
    return registry;
  }

  /**
   * Stops the registry and the broker (both in parallel, each SIGTERM then SIGKILL after a grace
   * period).
   */
  @Override
  public void close() {
    Thread registryStopper = new Thread(registry::close, "stop-schema-registry");
    registryStopper.start();
    broker.close();
    try {
      registryStopper.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      registry.close();
    }
  }

  /** Describes a platform to start; not thread-safe. */
  public static final class Builder {
    private int brokerPort = LocalKafkaBroker.DEFAULT_PORT;
    private int controllerPort = LocalKafkaBroker.DEFAULT_CONTROLLER_PORT;
    private int registryPort = LocalSchemaRegistry.DEFAULT_PORT;
    private int maxMessageBytes = LocalKafkaBroker.DEFAULT_MAX_MESSAGE_BYTES;
    private Path dataDir;
    private PlatformPaths paths;

    private Builder() {}

    /** Broker client port; default 9092. */
    public Builder optBrokerPort(int value) {
      this.brokerPort = value;
      return this;
    }

    /** Broker controller port; default 9093. */
    public Builder optControllerPort(int value) {
      this.controllerPort = value;
      return this;
    }

    /** Registry HTTP port; default 8081. */
    public Builder optRegistryPort(int value) {
      this.registryPort = value;
      return this;
    }

    /** Broker {@code message.max.bytes}; default 8 MiB. */
    public Builder optMaxMessageBytes(int value) {
      this.maxMessageBytes = value;
      return this;
    }

    /** Data directory; default {@link #defaultDataDir(PlatformPaths)}. */
    public Builder optDataDir(Path value) {
      this.dataDir = value;
      return this;
    }

    /** Where the build left the child JVMs' jars; default {@link PlatformPaths#resolve()}. */
    public Builder optPaths(PlatformPaths value) {
      this.paths = value;
      return this;
    }

    /**
     * Starts both and waits until both answer. On failure nothing is left running.
     *
     * @throws PortInUseException when any port is taken (checked before anything starts)
     * @throws IllegalStateException when a service fails to start
     */
    public LocalPlatform start() throws InterruptedException {
      PlatformPaths resolved = paths != null ? paths : PlatformPaths.resolve();
      Path dir = Objects.requireNonNullElseGet(dataDir, () -> defaultDataDir(resolved));
      // Check every port and both installations first, so a conflict never leaves half a platform
      // running.
      resolved.kafkaJars();
      resolved.apicurioRunnerJar();
      LoopbackPorts.requireFree(brokerPort, "Kafka broker", "--broker-port");
      LoopbackPorts.requireFree(controllerPort, "Kafka controller", "--controller-port");
      LoopbackPorts.requireFree(registryPort, "schema registry", "--registry-port");

      LocalSchemaRegistry.Starting registry =
          LocalSchemaRegistry.builder()
              .setDataDir(dir.resolve("registry"))
              .optStorageDir(dir.resolve("registry").resolve("db"))
              .optPort(registryPort)
              .optPaths(resolved)
              .launch();
      LocalKafkaBroker broker;
      try {
        broker =
            LocalKafkaBroker.builder()
                .setDataDir(dir.resolve("kafka"))
                .optPort(brokerPort)
                .optControllerPort(controllerPort)
                .optMaxMessageBytes(maxMessageBytes)
                .optPaths(resolved)
                .start();
      } catch (RuntimeException | InterruptedException e) {
        registry.abort();
        throw e;
      }
      try {
        return new LocalPlatform(broker, registry.awaitReady());
      } catch (RuntimeException | InterruptedException e) {
        broker.close();
        throw e;
      }
    }
  }
}
