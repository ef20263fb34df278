package io.latentstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.latentstream.platform.LoopbackPorts;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.streams.feed.CameraFeed;
import io.latentstream.testkit.InstanceProbes;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import io.latentstream.testkit.TopicClients;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The streams-app Docker image, scaled out: two containers of our own image (host networking, the
 * fixture model mounted, each with its own HTTP port and {@code group.instance.id}) share the
 * partitions of the raw topic on the real broker and registry. Frames flow continuously; one
 * container is stopped the way an operator scales down ({@code docker stop}: SIGTERM, clean close,
 * leave group). Every frame must be in the latent topic exactly once (read_committed), and the
 * remaining container must resume the stopped one's cameras within {@link #TAKEOVER_BOUND}.
 *
 * <p>Needs a Docker daemon and a local Java 17 base image (docker/build-base-image.sh, which CI
 * runs): the image is built here from the packaged modules with docker/build-images.sh. Without a
 * daemon the test is skipped with the reason logged, unless {@code LATENTSTREAM_REQUIRE_DOCKER=1}
 * (CI sets it once dockerd runs), which makes it fail.
 */
@RealPlatform
class ContainerScalingIT {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerScalingIT.class);
  private static final String BASE_IMAGE =
      System.getenv().getOrDefault("LATENTSTREAM_BASE_IMAGE", "latentstream/base-jre17:bookworm");
  private static final String TAG = "it";
  private static final String IMAGE = "latentstream/streams-app:" + TAG;
  private static final String FAMILY = "scaling";
  private static final int QUALITY = 4;

  /**
   * With 4 partitions and the default partitioner, every partition gets at least one of 8 cameras.
   */
  private static final int CAMERAS = 8;

  private static final int PARTITIONS = 4;
  private static final int WIDTH = 64;
  private static final int HEIGHT = 48;

  /** One frame per camera every this many milliseconds. */
  private static final long FRAME_INTERVAL_MS = 100;

  private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(30);

  @BeforeAll
  static void buildImage() throws Exception {
    String missing = dockerMissing();
    if (missing == null) {
      missing = baseImageMissing(BASE_IMAGE);
    }
    if (missing != null) {
      skipReason = skipUnlessRequired("ContainerScalingIT", missing);
      return;
    }
    long start = System.nanoTime();
    Result build =
        run(
            Duration.ofMinutes(8),
            Map.of("BASE_IMAGE", BASE_IMAGE, "TAG", TAG),
            root().resolve("docker/build-images.sh").toString(),
            "streams-app");
    assertThat(build.exit).as("docker/build-images.sh streams-app:\n%s", build.output).isZero();
    LOG.info(
        "built {} from {} in {} ms", IMAGE, BASE_IMAGE, (System.nanoTime() - start) / 1_000_000);
  }

  /** Why the test cannot run here (no Docker), or null. */
  private static String skipReason;

  @BeforeEach
  void skipWithoutDocker() {
    // here rather than in @BeforeAll, so that reports count the test as skipped
    Assumptions.assumeTrue(skipReason == null, () -> "skipped: " + skipReason);
  }

  @Test
  void shouldEncodeEveryFrameOnceAndResumeWithinSecondsWhenOneOfTwoContainersIsStoppedMidStream(
      TestPlatform platform) throws Exception {
    long testStart = System.nanoTime();
    String app = platform.uniqueName("scaling-app");
    Map<String, String> topics = new HashMap<>();
    for (String t :
        List.of(
            "raw",
            "latent",
            "dlq",
            "sample",
            "decode.requests",
            "decoded",
            "releases",
            "artifacts")) {
      topics.put(t, platform.uniqueName(app + "-" + t));
    }
    String raw = topics.get("raw");
    String latent = topics.get("latent");
    Path models =
        Files.createTempDirectory(
                Files.createDirectories(Paths.get("target", "tmp")), "scaling-models-")
            .toAbsolutePath();
    RetrainingIT.copyChampion(models, FAMILY + "-q" + QUALITY, QUALITY);
    readableByAll(models); // the image runs as an unprivileged user

    SchemaRegistryClient registry =
        new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl()));
    AvroSerde<RawFrame> rawSerde = new AvroSerde<>(registry, RawFrame.class);
    AvroSerde<LatentFrame> latentSerde = new AvroSerde<>(registry, LatentFrame.class);

    int portA = LoopbackPorts.findFree();
    int portB = LoopbackPorts.findFree();
    GenericContainer<?> a = streamsContainer(platform, app, topics, models, "a", portA);
    GenericContainer<?> b = streamsContainer(platform, app, topics, models, "b", portB);
    Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()));
    LatentWatcher watcher = new LatentWatcher(platform, latent, latentSerde);
    FrameSource source = new FrameSource(platform, raw, rawSerde);
    try {
      // A first: it creates the topics; B joins and the group rebalances over both
      long t = System.nanoTime();
      a.start();
      awaitReady(a, portA);
      LOG.info("container a ready in {} ms", (System.nanoTime() - t) / 1_000_000);
      t = System.nanoTime();
      b.start();
      awaitReady(b, portB);
      LOG.info("container b ready in {} ms", (System.nanoTime() - t) / 1_000_000);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                Map<String, Set<Integer>> owners = rawOwners(admin, app, raw);
                return owners.size() == 2 && owners.values().stream().allMatch(p -> !p.isEmpty());
              });
      Map<String, Set<Integer>> before = rawOwners(admin, app, raw);
      Set<Integer> stoppedPartitions = before.get(app + "-a");
      Set<String> stoppedCameras = new HashSet<>();
      for (int cam = 0; cam < CAMERAS; cam++) {
        if (stoppedPartitions.contains(partitionOf(camera(cam)))) {
          stoppedCameras.add(camera(cam));
        }
      }
      LOG.info(
          "raw partitions by instance before the stop: {}; a's cameras: {}",
          before,
          stoppedCameras);
      assertThat(stoppedCameras).as("container a owns cameras").isNotEmpty();

      watcher.start();
      source.start();
      // mid-stream: container a has encoded part of its share
      URI instanceA = URI.create("http://127.0.0.1:" + portA);
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> InstanceProbes.framesEncoded(instanceA, null) >= 20);
      double encodedByA = InstanceProbes.framesEncoded(instanceA, null);
      long stopAt = System.nanoTime();
      long firstSeqAfterStop =
          source.nextSequence() + 1; // the sequence in flight may have begun before
      // what `docker stop` / `docker compose up --scale streams-app=1` does: SIGTERM, up to 30 s to
      // close
      a.getDockerClient().stopContainerCmd(a.getContainerId()).withTimeout(30).exec();
      long stopped = System.nanoTime();
      // a graceful stop within docker's 30 s (else SIGKILL: 137) that reports success, not 143
      Long exitCode =
          a.getDockerClient()
              .inspectContainerCmd(a.getContainerId())
              .exec()
              .getState()
              .getExitCodeLong();
      assertThat(exitCode)
          .as("exit status of the streams app after docker stop (SIGTERM)")
          .isZero();
      LOG.info(
          "stopped container a (it had encoded {} frames) in {} ms; frames from sequence {} on were sent"
              + " after the stop began",
          encodedByA,
          (stopped - stopAt) / 1_000_000,
          firstSeqAfterStop);
      saveLogs(a, app + "-a");

      // takeover: the survivor owns every raw partition, and every camera of a's has a new frame
      // encoded
      await()
          .atMost(TAKEOVER_BOUND.plusSeconds(30))
          .until(
              () -> {
                Map<String, Set<Integer>> owners = rawOwners(admin, app, raw);
                return owners.size() == 1
                    && owners.getOrDefault(app + "-b", Set.of()).size() == PARTITIONS;
              });
      long handedOver = System.nanoTime();
      await()
          .atMost(TAKEOVER_BOUND.plusSeconds(30))
          .until(
              () ->
                  stoppedCameras.stream()
                      .allMatch(c -> watcher.firstArrivalAtOrAfter(c, firstSeqAfterStop) != null));
      long resumed =
          stoppedCameras.stream()
              .mapToLong(c -> watcher.firstArrivalAtOrAfter(c, firstSeqAfterStop))
              .max()
              .orElseThrow();
      Duration handover = Duration.ofNanos(handedOver - stopAt);
      Duration takeover = Duration.ofNanos(resumed - stopAt);
      LOG.info(
          "takeover after docker stop: partitions handed over after {} ms; every camera of the stopped"
              + " container had a frame sent after the stop encoded by the survivor after {} ms (bound {} s)",
          handover.toMillis(),
          takeover.toMillis(),
          TAKEOVER_BOUND.toSeconds());

      // the survivor alone encodes a further sequence of every camera (frames sent after the
      // takeover), then the
      // stream stops and every frame is accounted for
      long afterTakeover = source.nextSequence() + 1;
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  IntStream.range(0, CAMERAS)
                      .allMatch(
                          cam ->
                              watcher.firstArrivalAtOrAfter(camera(cam), afterTakeover) != null));
      source.stop();
      int total = source.sent();
      LOG.info("sent {} frames ({} cameras x {} sequences)", total, CAMERAS, total / CAMERAS);
      List<LatentFrame> frames = readCommitted(platform, latent, latentSerde, total);
      List<String> ids = frames.stream().map(f -> f.getCameraId() + "/" + f.getSequence()).toList();
      Set<String> expected = new HashSet<>();
      for (int seq = 0; seq < total / CAMERAS; seq++) {
        for (int cam = 0; cam < CAMERAS; cam++) {
          expected.add(camera(cam) + "/" + seq);
        }
      }
      assertThat(new HashSet<>(ids)).as("every frame encoded").isEqualTo(expected);
      assertThat(ids).as("no frame encoded twice").hasSize(total);
      assertThat(takeover)
          .as("time until the survivor encoded the stopped container's cameras again")
          .isLessThan(TAKEOVER_BOUND);
      assertThat(InstanceProbes.isReady(URI.create("http://127.0.0.1:" + portB)))
          .as("the survivor is still ready")
          .isTrue();
      assertThat(
              a.getDockerClient()
                  .inspectContainerCmd(a.getContainerId())
                  .exec()
                  .getState()
                  .getRunning())
          .isFalse();
    } finally {
      source.stop();
      watcher.stop();
      admin.close(Duration.ofSeconds(5));
      if (b.getContainerId() != null) {
        saveLogs(b, app + "-b");
      }
      b.stop();
      a.stop();
    }
    LOG.info("ContainerScalingIT took {} ms", (System.nanoTime() - testStart) / 1_000_000);
  }

  /**
   * One instance of our image: host networking, the shared application id, its own instance id and
   * port.
   */
  private static GenericContainer<?> streamsContainer(
      TestPlatform platform,
      String app,
      Map<String, String> topics,
      Path models,
      String instance,
      int port) {
    GenericContainer<?> c =
        new GenericContainer<>(DockerImageName.parse(IMAGE))
            .withNetworkMode("host")
            .withFileSystemBind(models.toString(), "/models", BindMode.READ_ONLY)
            // 127.0.0.1 and localhost are the host's own with host networking: the test broker and
            // registry
            .withEnv("LATENTSTREAM_BOOTSTRAP_SERVERS", platform.bootstrapServers())
            .withEnv("LATENTSTREAM_SCHEMA_REGISTRY_URL", platform.registryUrl())
            .withEnv("LATENTSTREAM_APPLICATION_ID", app)
            .withEnv("LATENTSTREAM_GROUP_INSTANCE_ID", app + "-" + instance)
            .withEnv("LATENTSTREAM_HTTP_BIND_ADDRESS", "127.0.0.1")
            .withEnv("LATENTSTREAM_HTTP_PORT", Integer.toString(port))
            .withEnv("LATENTSTREAM_TOPIC_PARTITIONS", Integer.toString(PARTITIONS))
            .withEnv("LATENTSTREAM_MODELS_DIR", "/models")
            .withEnv("LATENTSTREAM_MODEL_NAME", FAMILY)
            .withEnv("LATENTSTREAM_MODEL_QUALITY", Integer.toString(QUALITY))
            .withEnv("LATENTSTREAM_MODEL_ALLOW_UNSIGNED", "true")
            .withEnv("LATENTSTREAM_SAMPLE_RATE", "0")
            .withEnv("LATENTSTREAM_ENCODE_PSNR_SAMPLE_RATE", "0")
            .withEnv("JAVA_OPTS", "-Xmx384m -XX:+ExitOnOutOfMemoryError");
    topics.forEach(
        (key, name) ->
            c.withEnv("LATENTSTREAM_TOPIC_" + key.toUpperCase().replace('.', '_'), name));
    return c;
  }

  /** Raw-topic partitions per {@code group.instance.id} in the application's consumer group. */
  private static Map<String, Set<Integer>> rawOwners(Admin admin, String app, String raw)
      throws Exception {
    ConsumerGroupDescription group =
        admin.describeConsumerGroups(List.of(app)).all().get(10, TimeUnit.SECONDS).get(app);
    Map<String, Set<Integer>> owners = new HashMap<>();
    for (MemberDescription m : group.members()) {
      Set<Integer> partitions =
          m.assignment().topicPartitions().stream()
              .filter(tp -> tp.topic().equals(raw))
              .map(TopicPartition::partition)
              .collect(Collectors.toSet());
      // a stream thread's member id is the instance id plus "-<thread index>"
      String instance =
          m.groupInstanceId().map(id -> id.replaceAll("-\\d+$", "")).orElse(m.consumerId());
      owners.computeIfAbsent(instance, k -> new HashSet<>()).addAll(partitions);
    }
    return owners;
  }

  private static void awaitReady(GenericContainer<?> c, int port) {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              if (!c.isRunning()) {
                throw new IllegalStateException(
                    "container exited before it was ready; its log:\n" + c.getLogs());
              }
              return InstanceProbes.isReady(URI.create("http://127.0.0.1:" + port));
            });
  }

  private static void saveLogs(GenericContainer<?> c, String name) {
    try {
      Files.writeString(Paths.get("target", name + ".log"), c.getLogs());
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not save the log of {}: {}", name, e.toString());
    }
  }

  static String camera(int cam) {
    return "cam-" + cam;
  }

  /**
   * The raw partition of a camera's frames (the producer's default partitioner for keyed records).
   */
  private static int partitionOf(String camera) {
    return Utils.toPositive(Utils.murmur2(camera.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
  }

  /**
   * Reads the latent topic (read_committed) from the start until {@code expected} frames arrived,
   * then to its end.
   */
  private static List<LatentFrame> readCommitted(
      TestPlatform platform, String topic, AvroSerde<LatentFrame> serde, int expected) {
    return TopicClients.readCommitted(
            platform.clientConfig(), topic, expected, Duration.ofSeconds(90))
        .stream()
        .map(r -> serde.deserializer().deserialize(topic, r.value()))
        .toList();
  }

  /**
   * Publishes one frame per camera every {@link #FRAME_INTERVAL_MS} on its own thread until
   * stopped.
   */
  private static final class FrameSource implements Runnable {
    private final TestPlatform platform;
    private final String topic;
    private final AvroSerde<RawFrame> serde;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicInteger nextSeq = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private Thread thread;

    FrameSource(TestPlatform platform, String topic, AvroSerde<RawFrame> serde) {
      this.platform = platform;
      this.topic = topic;
      this.serde = serde;
    }

    void start() {
      running.set(true);
      thread = new Thread(this, "frame-source");
      thread.start();
    }

    long nextSequence() {
      return nextSeq.get();
    }

    /** Frames sent and acknowledged (complete sequences over every camera). */
    int sent() {
      if (failure.get() != null) {
        throw new IllegalStateException("the frame source failed", failure.get());
      }
      return nextSeq.get() * CAMERAS;
    }

    void stop() throws InterruptedException {
      running.set(false);
      if (thread != null) {
        thread.join(30_000);
      }
    }

    @Override
    public void run() {
      try (KafkaProducer<byte[], byte[]> producer =
          TopicClients.idempotentProducer(platform.clientConfig())) {
        long next = System.nanoTime();
        while (running.get()) {
          int seq = nextSeq.get();
          for (int cam = 0; cam < CAMERAS; cam++) {
            String camera = camera(cam);
            RawFrame frame =
                CameraFeed.uncompressed(
                    camera, seq, Instant.now(), ItFrames.gradient(WIDTH, HEIGHT, cam, seq));
            producer.send(
                ItFrames.record(topic, frame, serde.serializer().serialize(topic, frame)));
          }
          producer.flush(); // a sequence counts as sent once every camera's frame is acknowledged
          nextSeq.incrementAndGet();
          next += TimeUnit.MILLISECONDS.toNanos(FRAME_INTERVAL_MS);
          long wait = next - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
        }
      } catch (Throwable e) {
        failure.set(e);
        LOG.error("frame source failed", e);
      }
    }
  }

  /**
   * Follows the latent topic (read_committed) and records when each camera's frames first arrived.
   */
  private static final class LatentWatcher implements Runnable {
    private final TestPlatform platform;
    private final String topic;
    private final AvroSerde<LatentFrame> serde;

    /** camera -> sequence -> System.nanoTime() of first arrival. */
    private final Map<String, Map<Long, Long>> arrivals = new ConcurrentHashMap<>();

    private final AtomicBoolean running = new AtomicBoolean();
    private Thread thread;

    LatentWatcher(TestPlatform platform, String topic, AvroSerde<LatentFrame> serde) {
      this.platform = platform;
      this.topic = topic;
      this.serde = serde;
    }

    void start() {
      running.set(true);
      thread = new Thread(this, "latent-watcher");
      thread.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      if (thread != null) {
        thread.join(10_000);
      }
    }

    /**
     * When the first frame of {@code camera} with a sequence of at least {@code seq} arrived, or
     * null.
     */
    Long firstArrivalAtOrAfter(String camera, long seq) {
      return arrivals.getOrDefault(camera, Map.of()).entrySet().stream()
          .filter(e -> e.getKey() >= seq)
          .map(Map.Entry::getValue)
          .min(Long::compare)
          .orElse(null);
    }

    @Override
    public void run() {
      try (KafkaConsumer<byte[], byte[]> consumer =
          TopicClients.committedFromStart(platform.clientConfig(), topic)) {
        while (running.get()) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            long now = System.nanoTime();
            LatentFrame f = serde.deserializer().deserialize(topic, r.value());
            arrivals
                .computeIfAbsent(f.getCameraId(), k -> new ConcurrentHashMap<>())
                .putIfAbsent(f.getSequence(), now);
          }
        }
      } catch (RuntimeException e) {
        LOG.error("latent watcher failed", e);
      }
    }
  }

  private static void readableByAll(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Files.setPosixFilePermissions(
            p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
  }

  static Path root() {
    return RetrainingIT.root();
  }

  /**
   * Null when the docker CLI reaches a daemon (the build scripts) and Testcontainers does too; else
   * why not.
   */
  static String dockerMissing() {
    try {
      Result info =
          run(Duration.ofSeconds(30), Map.of(), "docker", "info", "--format", "{{.ServerVersion}}");
      if (info.exit != 0) {
        return "no Docker daemon answers `docker info` (exit "
            + info.exit
            + "): "
            + info.output.strip();
      }
    } catch (IOException e) {
      return "the docker command is not available: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
    try {
      if (!DockerClientFactory.instance().isDockerAvailable()) {
        return "Testcontainers finds no Docker environment";
      }
    } catch (RuntimeException e) {
      return "Testcontainers finds no Docker environment: " + e;
    }
    return null;
  }

  /**
   * Null when {@code image} exists or docker/build-base-image.sh builds it now (cached by the
   * script; it needs root and debootstrap, so CI builds it before the tests); else why not.
   */
  static String baseImageMissing(String image) throws IOException, InterruptedException {
    if (imageExists(image)) {
      return null;
    }
    Result base =
        run(
            Duration.ofMinutes(8),
            Map.of(),
            root().resolve("docker/build-base-image.sh").toString(),
            image);
    return base.exit == 0
        ? null
        : "the base image "
            + image
            + " is missing and docker/build-base-image.sh failed (exit "
            + base.exit
            + "):\n"
            + base.output;
  }

  /**
   * What a container test does when Docker or an image is {@code missing}: fail when
   * LATENTSTREAM_REQUIRE_DOCKER=1 (CI), else log that {@code test} is skipped; returns the reason
   * its tests skip with.
   */
  static String skipUnlessRequired(String test, String missing) {
    if ("1".equals(System.getenv("LATENTSTREAM_REQUIRE_DOCKER"))) {
      Assertions.fail("LATENTSTREAM_REQUIRE_DOCKER=1 but " + missing);
    }
    LOG.warn(
        "{} skipped: {} (set LATENTSTREAM_REQUIRE_DOCKER=1 to make this a failure)", test, missing);
    return missing;
  }

  static boolean imageExists(String image) throws IOException, InterruptedException {
    return run(Duration.ofSeconds(30), Map.of(), "docker", "image", "inspect", image).exit == 0;
  }

  record Result(int exit, String output) {}

  /** Runs a command, its output in one string; exit 124 after the timeout. */
  static Result run(Duration timeout, Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    Path log =
        Files.createTempFile(Files.createDirectories(Paths.get("target", "tmp")), "cmd-", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly().waitFor();
      return new Result(124, Files.readString(log));
    }
    return new Result(p.exitValue(), Files.readString(log));
  }
}
