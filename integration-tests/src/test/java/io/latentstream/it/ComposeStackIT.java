package io.latentstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.platform.LoopbackPorts;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.streams.feed.CameraFeed;
import io.latentstream.testkit.InstanceProbes;
import io.latentstream.testkit.TopicClients;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code docker/compose.yaml} as an operator runs it: the whole stack (Kafka, registry, the key
 * init step, the trainer, the streams app) brought up with the locally built images through the
 * compose CLI ({@code docker compose} or Debian's {@code docker-compose}), on compose's own
 * network, signed releases and bearer tokens as the file sets them. Frames are published to {@code
 * images.raw} through the published Kafka port, the streams app is scaled to two instances and back
 * to one, and every frame must be in {@code images.latent} exactly once (read_committed); the
 * scaled-down instance and then every container of the stack must stop cleanly.
 *
 * <p>Needs a Docker daemon, a compose CLI and the local base image, like {@link
 * ContainerScalingIT}: skipped with the reason logged without them, a failure with {@code
 * LATENTSTREAM_REQUIRE_DOCKER=1} (CI).
 */
class ComposeStackIT {
  private static final Logger LOG = LoggerFactory.getLogger(ComposeStackIT.class);
  private static final String BASE_IMAGE =
      System.getenv().getOrDefault("LATENTSTREAM_BASE_IMAGE", "latentstream/base-jre17:bookworm");

  /**
   * Its own tag: ContainerScalingIT (maybe running from another checkout on the same daemon) builds
   * {@code it}.
   */
  private static final String TAG = "compose-it";

  private static final String GROUP = "latentstream-encoder";
  private static final String RAW = "images.raw";
  private static final String LATENT = "images.latent";

  /** compose.yaml's topic.partitions. */
  private static final int PARTITIONS = 6;

  private static final int WIDTH = 64;
  private static final int HEIGHT = 64;

  /** Sequences per camera in each of the three batches (one instance, two, one again). */
  private static final int SEQUENCES_PER_BATCH = 3;

  private static final String PROMETHEUS_IMAGE = "latentstream/prometheus:" + TAG;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String skipReason;

  /**
   * Whether the stack runs with its Prometheus (profile monitoring): when Debian's prometheus is
   * installed.
   */
  private static boolean monitoring;

  /** The compose CLI: {@code docker compose} or {@code docker-compose}. */
  private static List<String> compose;

  @BeforeAll
  static void buildImages() throws Exception {
    String missing = ContainerScalingIT.dockerMissing();
    if (missing == null) {
      compose = composeCli();
      if (compose == null) {
        missing =
            "neither `docker compose` nor `docker-compose` works (Debian: apt-get install docker-compose)";
      }
    }
    if (missing == null) {
      missing = ContainerScalingIT.baseImageMissing(BASE_IMAGE);
    }
    if (missing != null) {
      skipReason = ContainerScalingIT.skipUnlessRequired("ComposeStackIT", missing);
      return;
    }
    long start = System.nanoTime();
    ContainerScalingIT.Result build =
        ContainerScalingIT.run(
            Duration.ofMinutes(8),
            Map.of("BASE_IMAGE", BASE_IMAGE, "TAG", TAG),
            root().resolve("docker/build-images.sh").toString());
    assertThat(build.exit()).as("docker/build-images.sh:\n%s", build.output()).isZero();
    // the stack's Prometheus from Debian's binary (prom/prometheus cannot be pulled here)
    ContainerScalingIT.Result prometheus =
        ContainerScalingIT.run(
            Duration.ofMinutes(3),
            Map.of("BASE_IMAGE", BASE_IMAGE),
            root().resolve("docker/build-prometheus-image.sh").toString(),
            PROMETHEUS_IMAGE);
    monitoring = prometheus.exit() == 0;
    if (!monitoring) {
      if ("1".equals(System.getenv("LATENTSTREAM_REQUIRE_PROMETHEUS"))) {
        Assertions.fail(
            "LATENTSTREAM_REQUIRE_PROMETHEUS=1 but docker/build-prometheus-image.sh failed:\n"
                + prometheus.output());
      }
      LOG.warn(
          "ComposeStackIT runs without the monitoring profile: {}", prometheus.output().strip());
    }
    LOG.info("built the four images :{} in {} ms", TAG, (System.nanoTime() - start) / 1_000_000);
  }

  @BeforeEach
  void skipWithoutDocker() {
    Assumptions.assumeTrue(skipReason == null, () -> "skipped: " + skipReason);
  }

  @Test
  void
      shouldEncodeEveryFrameOnceWhileTheStreamsServiceIsScaledToTwoAndBackAndStopEveryContainerCleanly()
          throws Exception {
    long testStart = System.nanoTime();
    String project = "lsit" + UUID.randomUUID().toString().substring(0, 8);
    String token = UUID.randomUUID().toString();
    int kafkaPort = LoopbackPorts.findFree();
    int registryPort = LoopbackPorts.findFree();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("LATENTSTREAM_TAG", TAG);
    env.put("LATENTSTREAM_HTTP_AUTH_TOKEN", token);
    env.put("LATENTSTREAM_TRAINER_TOKEN", UUID.randomUUID().toString());
    env.put("LATENTSTREAM_KAFKA_PORT", Integer.toString(kafkaPort));
    env.put("LATENTSTREAM_REGISTRY_PORT", Integer.toString(registryPort));
    env.put("LATENTSTREAM_TRAINER_PORT", Integer.toString(LoopbackPorts.findFree()));
    int prometheusPort = LoopbackPorts.findFree();
    if (monitoring) {
      env.put("LATENTSTREAM_PROMETHEUS_IMAGE", PROMETHEUS_IMAGE);
      env.put("LATENTSTREAM_PROMETHEUS_PORT", Integer.toString(prometheusPort));
      env.put(
          "LATENTSTREAM_PROMETHEUS_SECRETS",
          tokenFiles(token, env.get("LATENTSTREAM_TRAINER_TOKEN")).toString());
    }
    Stack stack = new Stack(project, env);
    List<String> cameras = camerasCoveringEveryPartition();
    Set<String> expected = new TreeSet<>();
    Admin admin = null;
    try {
      long t = System.nanoTime();
      stack.ok(Duration.ofMinutes(6), "up", "-d", "--scale", "streams-app=1");
      URI one = stack.instance(1);
      awaitReady(one);
      LOG.info("stack up, streams-app 1 ready in {} ms", (System.nanoTime() - t) / 1_000_000);
      assertThat(InstanceProbes.status(one.resolve("/metrics"), null))
          .as("/metrics without the bearer token")
          .isEqualTo(401);
      assertThat(stack.exitCode("keys", 1)).as("exit status of the key init step").isZero();

      String bootstrap = "127.0.0.1:" + kafkaPort;
      SchemaRegistryClient registry =
          new SchemaRegistryClient(
              SchemaRegistryConfig.of("http://127.0.0.1:" + registryPort + "/apis/ccompat/v7"));
      AvroSerde<RawFrame> rawSerde = new AvroSerde<>(registry, RawFrame.class);
      AvroSerde<LatentFrame> latentSerde = new AvroSerde<>(registry, LatentFrame.class);
      admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));

      // batch 1 on one instance
      publish(bootstrap, rawSerde, cameras, 0, SEQUENCES_PER_BATCH, expected);
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> InstanceProbes.framesEncoded(one, token) >= expected.size());

      // scale to two: the new instance joins the group and takes partitions, and encodes its share
      // of batch 2
      t = System.nanoTime();
      stack.ok(Duration.ofMinutes(3), "up", "-d", "--no-recreate", "--scale", "streams-app=2");
      URI two = stack.instance(2);
      awaitReady(two);
      Admin a = admin;
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () -> {
                Map<String, Set<Integer>> owners = rawOwners(a);
                return owners.size() == 2 && owners.values().stream().noneMatch(Set::isEmpty);
              });
      LOG.info(
          "scaled to 2 in {} ms: raw partitions by member {}",
          (System.nanoTime() - t) / 1_000_000,
          rawOwners(admin));
      double firstBefore = InstanceProbes.framesEncoded(one, token);
      publish(bootstrap, rawSerde, cameras, SEQUENCES_PER_BATCH, SEQUENCES_PER_BATCH, expected);
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () ->
                  InstanceProbes.framesEncoded(one, token)
                          + InstanceProbes.framesEncoded(two, token)
                      >= expected.size());
      double bySecond = InstanceProbes.framesEncoded(two, token);
      LOG.info(
          "batch 2: instance 1 encoded {}, instance 2 {}",
          InstanceProbes.framesEncoded(one, token) - firstBefore,
          bySecond);
      assertThat(bySecond).as("frames encoded by the second instance").isPositive();
      if (monitoring) {
        checkPrometheus(
            URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/"), expected.size());
      }

      // scale back to one: compose stops (SIGTERM) and removes one instance, which must exit with
      // status 0
      List<String> ids = stack.containerIds("streams-app");
      assertThat(ids).hasSize(2);
      List<Process> waits = new ArrayList<>();
      for (String id : ids) {
        waits.add(new ProcessBuilder("docker", "wait", id).redirectErrorStream(true).start());
      }
      t = System.nanoTime();
      stack.ok(Duration.ofMinutes(3), "up", "-d", "--no-recreate", "--scale", "streams-app=1");
      LOG.info("scaled to 1 in {} ms", (System.nanoTime() - t) / 1_000_000);
      List<String> left = stack.containerIds("streams-app");
      assertThat(left).hasSize(1);
      for (int i = 0; i < ids.size(); i++) {
        Process wait = waits.get(i);
        if (ids.get(i).equals(left.get(0))) {
          wait.destroy();
          continue;
        }
        assertThat(wait.waitFor(30, TimeUnit.SECONDS))
            .as("docker wait of the removed instance")
            .isTrue();
        String status =
            new String(wait.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(status)
            .as("exit status of the instance compose scaled away (SIGTERM: clean close)")
            .isEqualTo("0");
      }
      URI survivor = Stack.published(left.get(0));
      awaitReady(survivor);
      await()
          .atMost(Duration.ofSeconds(120))
          .until(
              () -> {
                Map<String, Set<Integer>> owners = rawOwners(a);
                return owners.size() == 1 && owners.values().iterator().next().size() == PARTITIONS;
              });

      // batch 3 on the survivor, then every frame exactly once
      publish(bootstrap, rawSerde, cameras, 2 * SEQUENCES_PER_BATCH, SEQUENCES_PER_BATCH, expected);
      List<LatentFrame> frames = readCommitted(bootstrap, latentSerde, expected.size());
      List<String> ids2 =
          frames.stream().map(f -> f.getCameraId() + "/" + f.getSequence()).toList();
      assertThat(new TreeSet<>(ids2)).as("every frame encoded").isEqualTo(expected);
      assertThat(ids2).as("no frame encoded twice").hasSize(expected.size());

      // every container of the stack stops cleanly: the streams app with 0, the JVM services with 0
      // or 143
      // (terminated by the SIGTERM they were sent, shutdown hooks run), none killed after its grace
      // period (137)
      t = System.nanoTime();
      stack.ok(Duration.ofMinutes(4), "stop");
      LOG.info("stack stopped in {} ms", (System.nanoTime() - t) / 1_000_000);
      Map<String, Long> exits = stack.exitCodes();
      LOG.info("exit statuses: {}", exits);
      assertThat(exits.keySet()).as("containers of the stack").hasSize(monitoring ? 6 : 5);
      exits.forEach(
          (name, code) -> {
            if (name.contains("streams-app") || name.contains("keys")) {
              assertThat(code).as("exit status of %s", name).isZero();
            } else {
              assertThat(code).as("exit status of %s", name).isIn(0L, 143L);
            }
          });
    } finally {
      if (admin != null) {
        admin.close(Duration.ofSeconds(5));
      }
      stack.saveLogs();
      stack.run(Duration.ofMinutes(4), "down", "-v", "--remove-orphans", "--timeout", "30");
    }
    LOG.info("ComposeStackIT took {} ms", (System.nanoTime() - testStart) / 1_000_000);
  }

  /** The compose project: runs the CLI with the stack's environment. */
  private static final class Stack {
    private final String project;
    private final Map<String, String> env;

    Stack(String project, Map<String, String> env) {
      this.project = project;
      this.env = env;
    }

    ContainerScalingIT.Result run(Duration timeout, String... args)
        throws IOException, InterruptedException {
      List<String> cmd = new ArrayList<>(compose);
      cmd.addAll(List.of("-p", project, "-f", root().resolve("docker/compose.yaml").toString()));
      if (monitoring) {
        cmd.addAll(List.of("--profile", "monitoring"));
      }
      cmd.addAll(List.of(args));
      return ContainerScalingIT.run(timeout, env, cmd.toArray(String[]::new));
    }

    void ok(Duration timeout, String... args) throws IOException, InterruptedException {
      ContainerScalingIT.Result r = run(timeout, args);
      assertThat(r.exit()).as("compose %s:\n%s", String.join(" ", args), r.output()).isZero();
    }

    /** The published address of instance {@code index} of the streams app. */
    URI instance(int index) throws IOException, InterruptedException {
      ContainerScalingIT.Result r =
          run(
              Duration.ofSeconds(30),
              "port",
              "--index",
              Integer.toString(index),
              "streams-app",
              "8080");
      assertThat(r.exit()).as("compose port:\n%s", r.output()).isZero();
      String hostPort = r.output().strip().lines().reduce((x, y) -> y).orElseThrow();
      return URI.create("http://" + hostPort);
    }

    /** The published address of a streams-app container's port 8080. */
    static URI published(String containerId) throws IOException, InterruptedException {
      ContainerScalingIT.Result r = docker("port", containerId, "8080");
      assertThat(r.exit()).as("docker port:\n%s", r.output()).isZero();
      return URI.create("http://" + r.output().strip().lines().findFirst().orElseThrow());
    }

    List<String> containerIds(String service) throws IOException, InterruptedException {
      ContainerScalingIT.Result r =
          docker(
              "ps",
              "-q",
              "--no-trunc",
              "--filter",
              "label=com.docker.compose.project=" + project,
              "--filter",
              "label=com.docker.compose.service=" + service);
      return r.output().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    long exitCode(String service, int number) throws IOException, InterruptedException {
      ContainerScalingIT.Result r =
          docker(
              "ps",
              "-aq",
              "--filter",
              "label=com.docker.compose.project=" + project,
              "--filter",
              "label=com.docker.compose.service=" + service,
              "--filter",
              "label=com.docker.compose.container-number=" + number);
      String id = r.output().strip();
      return Long.parseLong(
          docker("inspect", "--format", "{{.State.ExitCode}}", id).output().strip());
    }

    /** Container name to exit status, for every container of the project. */
    Map<String, Long> exitCodes() throws IOException, InterruptedException {
      ContainerScalingIT.Result r =
          docker(
              "ps",
              "-a",
              "--filter",
              "label=com.docker.compose.project=" + project,
              "--format",
              "{{.Names}}");
      Map<String, Long> out = new HashMap<>();
      for (String name : r.output().lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
        ContainerScalingIT.Result state =
            docker("inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", name);
        String[] parts = state.output().strip().split(" ");
        out.put(name, "true".equals(parts[0]) ? -1L : Long.parseLong(parts[1]));
      }
      return out;
    }

    void saveLogs() {
      try {
        ContainerScalingIT.Result logs = run(Duration.ofSeconds(60), "logs", "--no-color", "-t");
        Files.writeString(Paths.get("target", "compose-stack.log"), logs.output());
      } catch (IOException | RuntimeException e) {
        LOG.warn("could not save the stack's logs: {}", e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The stack's Prometheus, with the shipped scrape config and rules: it found both streams
   * instances through Docker's DNS and scrapes them and the trainer with their tokens, its counters
   * add up to the frames encoded, and every alerting rule evaluates without error.
   */
  private static void checkPrometheus(URI api, int frames) throws IOException {
    long rules =
        Pattern.compile("^\\s*- alert:", Pattern.MULTILINE)
            .matcher(Files.readString(root().resolve("docker/prometheus/alerts.yml")))
            .results()
            .count();
    assertThat(rules).isPositive();
    long t = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .until(
            () ->
                query(api, "count(up{job=\"latentstream-streams\"} == 1)") == 2
                    && query(api, "up{job=\"latentstream-trainer\"}") == 1
                    && query(api, "sum(latentstream_frames_encoded_total)") == frames);
    LOG.info(
        "the stack's Prometheus scraped both streams instances and the trainer after {} ms",
        (System.nanoTime() - t) / 1_000_000);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .until(
            () -> {
              int evaluated = 0;
              for (JsonNode group :
                  get(api.resolve("rules?type=alert")).path("data").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                  assertThat(rule.path("health").asText())
                      .as(
                          "health of %s: %s",
                          rule.path("name").asText(), rule.path("lastError").asText())
                      .isNotEqualTo("err");
                  if (rule.path("health").asText().equals("ok")) {
                    evaluated++;
                  }
                }
              }
              return evaluated == rules;
            });
  }

  /** An instant query's single value; NaN when it has no result. */
  private static double query(URI api, String q) throws IOException, InterruptedException {
    JsonNode result =
        get(api.resolve("query?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8)))
            .path("data")
            .path("result");
    return result.isEmpty()
        ? Double.NaN
        : Double.parseDouble(result.get(0).path("value").get(1).asText());
  }

  private static JsonNode get(URI uri) throws IOException, InterruptedException {
    return JSON.readTree(
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }

  /** The token files the stack's Prometheus reads, readable by its user (nobody). */
  private static Path tokenFiles(String streamsToken, String trainerToken) throws IOException {
    Path dir =
        Files.createTempDirectory(
                Files.createDirectories(Paths.get("target", "tmp")), "prometheus-secrets-")
            .toAbsolutePath();
    Files.writeString(dir.resolve("streams-app.token"), streamsToken);
    Files.writeString(dir.resolve("trainer.token"), trainerToken);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String f : List.of("streams-app.token", "trainer.token")) {
      Files.setPosixFilePermissions(dir.resolve(f), PosixFilePermissions.fromString("rw-r--r--"));
    }
    return dir;
  }

  /**
   * {@code docker compose} where the plugin works, else Debian's {@code docker-compose}; null for
   * neither.
   */
  private static List<String> composeCli() throws InterruptedException {
    for (List<String> cli : List.of(List.of("docker", "compose"), List.of("docker-compose"))) {
      try {
        List<String> cmd = new ArrayList<>(cli);
        cmd.add("version");
        if (ContainerScalingIT.run(Duration.ofSeconds(30), Map.of(), cmd.toArray(String[]::new))
                .exit()
            == 0) {
          return cli;
        }
      } catch (IOException e) {
        // not installed: try the next
      }
    }
    return null;
  }

  /**
   * Cameras whose frames land on every partition of the raw topic (the producer's default
   * partitioner).
   */
  private static List<String> camerasCoveringEveryPartition() {
    Map<Integer, String> byPartition = new HashMap<>();
    for (int i = 0; byPartition.size() < PARTITIONS; i++) {
      String camera = "cam-" + i;
      byPartition.putIfAbsent(
          Utils.toPositive(Utils.murmur2(camera.getBytes(StandardCharsets.UTF_8))) % PARTITIONS,
          camera);
    }
    return List.copyOf(new TreeSet<>(byPartition.values()));
  }

  private static void publish(
      String bootstrap,
      AvroSerde<RawFrame> serde,
      List<String> cameras,
      int firstSeq,
      int count,
      Set<String> expected)
      throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        TopicClients.idempotentProducer(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      for (int seq = firstSeq; seq < firstSeq + count; seq++) {
        for (int cam = 0; cam < cameras.size(); cam++) {
          String camera = cameras.get(cam);
          RawFrame frame =
              CameraFeed.uncompressed(
                  camera, seq, Instant.now(), ItFrames.gradient(WIDTH, HEIGHT, cam, seq));
          producer
              .send(ItFrames.record(RAW, frame, serde.serializer().serialize(RAW, frame)))
              .get();
          expected.add(camera + "/" + seq);
        }
      }
    }
  }

  /** Raw-topic partitions per member (client id) of the application's consumer group. */
  private static Map<String, Set<Integer>> rawOwners(Admin admin) throws Exception {
    ConsumerGroupDescription group =
        admin.describeConsumerGroups(List.of(GROUP)).all().get(10, TimeUnit.SECONDS).get(GROUP);
    Map<String, Set<Integer>> owners = new HashMap<>();
    group
        .members()
        .forEach(
            m -> {
              Set<Integer> raw = new HashSet<>();
              m.assignment().topicPartitions().stream()
                  .filter(tp -> tp.topic().equals(RAW))
                  .forEach(tp -> raw.add(tp.partition()));
              owners.merge(
                  m.groupInstanceId().orElse(m.consumerId()),
                  raw,
                  (x, y) -> {
                    x.addAll(y);
                    return x;
                  });
            });
    return owners;
  }

  private static List<LatentFrame> readCommitted(
      String bootstrap, AvroSerde<LatentFrame> serde, int expected) {
    return TopicClients.readCommitted(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
            LATENT,
            expected,
            Duration.ofSeconds(120))
        .stream()
        .map(r -> serde.deserializer().deserialize(LATENT, r.value()))
        .toList();
  }

  private static void awaitReady(URI instance) {
    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> InstanceProbes.status(instance.resolve("/ready"), null) == 200);
  }

  private static Path root() {
    return ContainerScalingIT.root();
  }

  /** {@code docker ARGS}, 30 s at most. */
  static ContainerScalingIT.Result docker(String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 1];
    command[0] = "docker";
    System.arraycopy(args, 0, command, 1, args.length);
    return ContainerScalingIT.run(Duration.ofSeconds(30), Map.of(), command);
  }
}
