package io.latentstream.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Apicurio Registry 2.6 as a supervised child JVM on 127.0.0.1, speaking the Confluent Schema
 * Registry API under {@link #ccompatUrl()}.
 *
 * <p>With {@link Builder#optStorageDir} the schemas live in an H2 database file there (every commit
 * written through), so a registry started again on the same directory knows every schema id it gave
 * out, and the records on the topics stay readable; without it they live only as long as the
 * process (in-memory H2). Thread-safe; the caller of {@link Builder#start()} owns the registry and
 * closes it (closing stops the child JVM; closing twice is harmless).
 */
public final class LocalSchemaRegistry implements AutoCloseable {
  /** Default HTTP port, as the Confluent registry's. */
  public static final int DEFAULT_PORT = 8081;

  static final String CCOMPAT_PATH = "/apis/ccompat/v7";

  private final int port;
  private final ChildJvm child;

  private LocalSchemaRegistry(int port, ChildJvm child) {
    this.port = port;
    this.child = child;
  }

  /** Starts describing a registry. */
  public static Builder builder() {
    return new Builder();
  }

  /** The HTTP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** Root URL of the server, e.g. {@code http://127.0.0.1:8081}. */
  public String baseUrl() {
    return "http://" + LoopbackPorts.HOST + ":" + port;
  }

  /**
   * Base URL of the Confluent-compatible API, e.g. {@code http://127.0.0.1:8081/apis/ccompat/v7}.
   */
  public String ccompatUrl() {
    return baseUrl() + CCOMPAT_PATH;
  }

  /** The child JVM (for its pid and log). */
  public ChildJvm process() {
    return child;
  }

  /** Stops the registry process. */
  @Override
  public void close() {
    child.stop();
  }

  @Override
  public String toString() {
    return "LocalSchemaRegistry[" + ccompatUrl() + ", " + child + "]";
  }

  /** Describes a registry to start; not thread-safe. */
  public static final class Builder {
    private int port = DEFAULT_PORT;
    private Path dataDir;
    private Path storageDir;
    private PlatformPaths paths;
    private Duration startTimeout = Duration.ofSeconds(90);
    private String portHint = "--registry-port";

    private Builder() {}

    /** Required: working directory of the child (its log file goes there). */
    public Builder setDataDir(Path value) {
      this.dataDir = value;
      return this;
    }

    /**
     * Keeps the schemas in a database under {@code value} (created if needed), so that they survive
     * a restart; default: none, schemas in memory only.
     *
     * @throws IllegalArgumentException for a path the database URL cannot carry (one with ';')
     */
    public Builder optStorageDir(Path value) {
      if (value != null && value.toAbsolutePath().toString().contains(";")) {
        throw new IllegalArgumentException(
            "registry storage directory must not contain ';': " + value);
      }
      this.storageDir = value;
      return this;
    }

    /** HTTP port; default {@value #DEFAULT_PORT}. */
    public Builder optPort(int value) {
      this.port = value;
      return this;
    }

    /** Where to find Apicurio; default {@link PlatformPaths#resolve()}. */
    public Builder optPaths(PlatformPaths value) {
      this.paths = value;
      return this;
    }

    /** How long to wait for the API to answer; default 90 s. */
    public Builder optStartTimeout(Duration value) {
      this.startTimeout = value;
      return this;
    }

    /**
     * How the user picks another port, named when the port is taken; default {@code
     * --registry-port}.
     */
    public Builder optPortHint(String value) {
      this.portHint = value;
      return this;
    }

    /** Starts the child JVM without waiting for it; finish with {@link Starting#awaitReady()}. */
    public Starting launch() {
      Objects.requireNonNull(dataDir, "dataDir");
      PlatformPaths resolved = paths != null ? paths : PlatformPaths.resolve();
      Path runner = resolved.apicurioRunnerJar();
      LoopbackPorts.requireFree(port, "schema registry", portHint);
      ChildJvm.Builder builder =
          ChildJvm.builder("schema-registry", PlatformPaths.mainClassOf(runner));
      if (storageDir != null) {
        try {
          Files.createDirectories(storageDir);
        } catch (IOException e) {
          throw new UncheckedIOException(
              "cannot create the registry storage directory " + storageDir, e);
        }
        // WRITE_DELAY=0: a schema id handed out is on disk before the answer, even if the process
        // is killed
        builder.optJvmOption(
            "-Dquarkus.datasource.jdbc.url=jdbc:h2:file:"
                + storageDir.toAbsolutePath().resolve("registry")
                + ";WRITE_DELAY=0");
      }
      ChildJvm child =
          builder
              .setDataDir(dataDir)
              .optClasspath(java.util.List.of(runner))
              .optJvmOption("-Dquarkus.http.host=" + LoopbackPorts.HOST)
              .optJvmOption("-Dquarkus.http.port=" + port)
              .optJvmOption("-Djava.io.tmpdir=" + dataDir.toAbsolutePath())
              // A registry answers a handful of small requests: C1 only and the serial collector
              // roughly
              // halve its start-up on two busy cores, and cost nothing that matters here.
              .optJvmOption("-XX:TieredStopAtLevel=1")
              .optJvmOption("-XX:+UseSerialGC")
              .start();
      return new Starting(new LocalSchemaRegistry(port, child), startTimeout);
    }

    /** Starts the registry and waits until its API answers. */
    public LocalSchemaRegistry start() throws InterruptedException {
      return launch().awaitReady();
    }
  }

  /** A registry whose process runs but whose API may not answer yet. */
  public static final class Starting {
    private final LocalSchemaRegistry registry;
    private final Duration timeout;

    private Starting(LocalSchemaRegistry registry, Duration timeout) {
      this.registry = registry;
      this.timeout = timeout;
    }

    /**
     * Stops the process without waiting for readiness (used when a sibling service failed to
     * start).
     */
    public void abort() {
      registry.close();
    }

    /**
     * Waits until {@code GET /apis/ccompat/v7/subjects} answers 200.
     *
     * @throws IllegalStateException when the process dies or the timeout passes (the process is
     *     then stopped)
     */
    public LocalSchemaRegistry awaitReady() throws InterruptedException {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpRequest probe =
          HttpRequest.newBuilder(URI.create(registry.ccompatUrl() + "/subjects"))
              .timeout(Duration.ofSeconds(5))
              .GET()
              .build();
      long deadline = System.nanoTime() + timeout.toNanos();
      String lastError = "no answer yet";
      while (System.nanoTime() < deadline) {
        if (!registry.child.isAlive()) {
          throw failure("exited during start-up", registry);
        }
        try {
          HttpResponse<String> response = http.send(probe, HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 200) {
            return registry;
          }
          lastError = "HTTP " + response.statusCode();
        } catch (IOException e) {
          lastError = e.toString();
        }
        Thread.sleep(200);
      }
      throw failure("did not answer within " + timeout + " (last: " + lastError + ")", registry);
    }

    private static IllegalStateException failure(String what, LocalSchemaRegistry registry) {
      registry.close();
      return new IllegalStateException(
          "schema registry on port "
              + registry.port
              + " "
              + what
              + "; log "
              + registry.child.logFile()
              + ", tail:\n"
              + registry.child.logTail(40));
    }
  }
}
