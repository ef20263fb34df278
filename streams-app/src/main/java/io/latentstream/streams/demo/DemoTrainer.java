package io.latentstream.streams.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.platform.ChildJvm;
import io.latentstream.platform.LoopbackPorts;
import io.latentstream.schemas.artifacts.ReleaseSignature;
import java.io.File;
import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The retraining service of the demo: {@code io.latentstream.trainer.service.TrainerMain} in a
 * supervised child JVM (as the broker and the registry; in production it is its own process too),
 * configured with a properties file the demo writes, and driven over its HTTP endpoints ({@code
 * /health}, {@code /metrics}, {@code POST /retrain}, {@code /runs}).
 *
 * <p>The streams app does not depend on the trainer module, so its classes come from the trainer's
 * build: system property {@value #CLASSPATH_PROPERTY} when set (the tests set it), else {@code
 * trainer/target}'s jar plus {@code trainer/target/classpath.txt} under the project root.
 * Thread-safe.
 */
final class DemoTrainer implements AutoCloseable {

  static final String CLASSPATH_PROPERTY = "latentstream.trainer.classpath";
  static final String MAIN_CLASS = "io.latentstream.trainer.service.TrainerMain";
  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ChildJvm child;
  private final URI base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();

  private DemoTrainer(ChildJvm child, URI base) {
    this.child = child;
    this.base = base;
  }

  /**
   * Starts the service and waits until its HTTP endpoint answers.
   *
   * @param classpath the trainer's classes ({@link #classpath(Path)})
   * @param dir its directory: the properties file, the log ({@code trainer.log}), run directories,
   *     reservoir
   * @param properties the service configuration (SERVICE.md); {@code http.port} is chosen here
   * @throws IllegalStateException when the classes are missing or it does not come up within {@code
   *     timeout}
   */
  static DemoTrainer start(
      List<Path> classpath, Path dir, Map<String, String> properties, Duration timeout)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    int port = LoopbackPorts.findFree();
    Properties p = new Properties();
    p.putAll(properties);
    p.setProperty("http.bind.address", "127.0.0.1");
    p.setProperty("http.port", Integer.toString(port));
    Path config = dir.resolve("trainer.properties");
    try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
      p.store(w, "written by ./latentstream demo for its retraining service");
    }
    ChildJvm.Builder builder =
        ChildJvm.builder("trainer", MAIN_CLASS)
            .setDataDir(dir)
            .optClasspath(classpath)
            .optMaxHeap("1g")
            // a run in progress cannot be interrupted between steps: on Ctrl-C it is killed after
            // this long
            .optStopTimeout(Duration.ofSeconds(10))
            .optArgs("--config", config.toAbsolutePath().toString());
    for (String property : List.of("java.library.path", "latentstream.root", "latentstream.home")) {
      String value = System.getProperty(property);
      if (value != null) {
        builder.optJvmOption("-D" + property + "=" + value);
      }
    }
    ChildJvm child = builder.start();
    DemoTrainer trainer = new DemoTrainer(child, URI.create("http://127.0.0.1:" + port));
    try {
      trainer.awaitHealthy(timeout);
    } catch (RuntimeException | InterruptedException e) {
      child.close();
      throw e;
    }
    return trainer;
  }

  /** The trainer's runtime classpath (see the class comment). */
  static List<Path> classpath(Path root) throws IOException {
    String property = System.getProperty(CLASSPATH_PROPERTY);
    if (property != null && !property.isBlank()) {
      return Stream.of(property.split(File.pathSeparator))
          .filter(s -> !s.isBlank())
          .map(Paths::get)
          .toList();
    }
    Path target = root.resolve("trainer/target");
    Path listFile = target.resolve("classpath.txt");
    Optional<Path> jar = Optional.empty();
    if (Files.isDirectory(target)) {
      try (Stream<Path> files = Files.list(target)) {
        jar =
            files
                .filter(
                    f -> {
                      String n = f.getFileName().toString();
                      return n.startsWith("latentstream-trainer-")
                          && n.endsWith(".jar")
                          && !n.endsWith("-tests.jar");
                    })
                .findFirst();
      }
    }
    if (jar.isEmpty() || !Files.isRegularFile(listFile)) {
      throw new IllegalStateException(
          "the trainer is not built (no jar or classpath.txt in "
              + target
              + "): run ./latentstream build, or pass --no-retrain");
    }
    List<Path> out = new ArrayList<>();
    out.add(jar.get());
    for (String entry :
        Files.readString(listFile, StandardCharsets.UTF_8).strip().split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        out.add(Paths.get(entry));
      }
    }
    return out;
  }

  /**
   * The demo's signing key pair: {@code trainer.key} (private, owner-only) and {@code
   * trainer.key.pub} in {@code dir}, made on first use and kept with the data directory (releases
   * already on the topic stay verifiable). Returns the private key file.
   */
  static Path ensureKeyPair(Path dir) throws IOException {
    Path key = dir.resolve("trainer.key");
    Path pub = dir.resolve("trainer.key.pub");
    if (Files.isRegularFile(key) && Files.isRegularFile(pub)) {
      return key;
    }
    Files.createDirectories(dir);
    Files.deleteIfExists(key);
    KeyPair pair = ReleaseSignature.generateKeyPair();
    try {
      Files.createFile(
          key,
          PosixFilePermissions.asFileAttribute(
              Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
    } catch (UnsupportedOperationException e) {
      Files.createFile(key);
    }
    Files.writeString(key, ReleaseSignature.encode(pair.getPrivate()) + "\n");
    Files.writeString(pub, ReleaseSignature.encode(pair.getPublic()) + "\n");
    return key;
  }

  /** The public key (X.509 base64) next to a private key file made by {@link #ensureKeyPair}. */
  static String publicKey(Path privateKeyFile) throws IOException {
    return Files.readString(Path.of(privateKeyFile + ".pub"), StandardCharsets.UTF_8).strip();
  }

  /** Sampled frames the service stored in its reservoir since it started. */
  long samplesStored() throws IOException, InterruptedException {
    return (long) metric("latentstream_trainer_samples_stored");
  }

  /** Frames in the reservoir (this run's and those kept from earlier runs). */
  long reservoirFrames() throws IOException, InterruptedException {
    return (long) metric("latentstream_trainer_reservoir_frames");
  }

  private double metric(String name) throws IOException, InterruptedException {
    String body = get("/metrics");
    for (String line : body.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).strip());
      }
    }
    throw new IOException("the trainer's /metrics has no " + name);
  }

  /**
   * {@code POST /retrain}: one run per configured model.
   *
   * @return the ids of the queued runs
   * @throws IOException when the service refuses (409: runs in progress) or fails
   */
  List<String> requestRun() throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve("/retrain"))
                .timeout(HTTP_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 202) {
      throw new IOException("POST /retrain answered " + r.statusCode() + ": " + r.body());
    }
    List<String> ids = new ArrayList<>();
    JSON.readTree(r.body()).path("runs").forEach(n -> ids.add(n.path("id").asText()));
    return ids;
  }

  /**
   * The runs with these ids as {@code GET /runs} shows them (in the order of {@code ids}; missing
   * ones left out).
   */
  List<JsonNode> runs(List<String> ids) throws IOException, InterruptedException {
    JsonNode all = JSON.readTree(get("/runs")).path("runs");
    List<JsonNode> out = new ArrayList<>();
    for (String id : ids) {
      for (JsonNode n : all) {
        if (id.equals(n.path("id").asText())) {
          out.add(n);
          break;
        }
      }
    }
    return out;
  }

  /** Whether a run's state is final (PROMOTED, KEPT_CHAMPION, SKIPPED or FAILED). */
  static boolean finished(JsonNode run) {
    return switch (run.path("state").asText()) {
      case "PROMOTED", "KEPT_CHAMPION", "SKIPPED", "FAILED" -> true;
      default -> false;
    };
  }

  boolean isAlive() {
    return child.isAlive();
  }

  Path logFile() {
    return child.logFile();
  }

  String logTail(int lines) {
    return child.logTail(lines);
  }

  private void awaitHealthy(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!child.isAlive()) {
        throw new IllegalStateException(
            "the retraining service exited at start; log "
                + child.logFile()
                + ":\n"
                + child.logTail(30));
      }
      try {
        get("/health");
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the retraining service did not answer on "
                  + base
                  + " within "
                  + timeout.toSeconds()
                  + " s; log "
                  + child.logFile()
                  + ":\n"
                  + child.logTail(30),
              e);
        }
      }
      Thread.sleep(250); // polling a starting process: it has no other way to say it is up
    }
  }

  private String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve(path)).timeout(HTTP_TIMEOUT).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + path + " answered " + r.statusCode());
    }
    return r.body();
  }

  /** Stops the child JVM (SIGTERM, SIGKILL after 10 s). Idempotent. */
  @Override
  public void close() {
    child.close();
  }

  @Override
  public String toString() {
    return "retraining service " + child;
  }

  /**
   * Copies a model package directory into {@code modelsDir} under its own name unless it is there
   * already: into a temporary sibling first, then renamed, so an interrupted copy never leaves half
   * a package behind.
   */
  static void installPackage(Path pkg, Path modelsDir) throws IOException {
    Path target = modelsDir.resolve(pkg.getFileName().toString());
    if (Files.isDirectory(target)) {
      return;
    }
    Files.createDirectories(modelsDir);
    Path tmp = Files.createTempDirectory(modelsDir, ".copy-");
    try (Stream<Path> walk = Files.walk(pkg)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path out = tmp.resolve(pkg.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(out);
        } else {
          Files.copy(p, out);
        }
      }
    }
    Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
