package io.latentstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.TestImages;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.sequence.SequenceDecoder;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.artifacts.ReleaseSignature;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.streams.StreamsApp;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.feed.CameraFeed;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import io.latentstream.testkit.TopicClients;
import io.latentstream.trainer.service.ReleaseHistory;
import io.latentstream.trainer.service.Rollback;
import io.latentstream.trainer.service.RunStatus;
import io.latentstream.trainer.service.TrainerService;
import io.latentstream.trainer.service.TrainerServiceConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acceptance 2 of the retraining issue, end to end on the real broker and registry: frames flow
 * through the streams app, which samples them to images.sample; the trainer service reads the
 * samples into its reservoir, fine-tunes the tiny champion (N=8, M=8) of two quality levels for a
 * few steps each, evaluates them with the real codec, promotes them (a permissive margin: the point
 * here is the plumbing, PromotionGateIT covers the refusal) and publishes it signed over Kafka. The
 * running streams instance switches to the new version with no frame lost or duplicated; a
 * restarted instance comes up on the new version; frames encoded before the swap still decode; a
 * rollback to the first version is one call.
 */
@RealPlatform
class RetrainingIT {
  private static final Logger LOG = LoggerFactory.getLogger(RetrainingIT.class);
  private static final String FAMILY = "retrain";
  private static final int QUALITY = 4;
  private static final String MODEL = FAMILY + "-q" + QUALITY;

  /**
   * A second quality level the trainer retrains too; the streams instances here encode with {@link
   * #MODEL}.
   */
  private static final String OTHER_MODEL = FAMILY + "-q3";

  private static final String[] SCENES = {"skimage_chelsea.png", "skimage_astronaut.png"};
  private static final int CAMERAS = 2;
  private static final int WIDTH = 96;
  private static final int HEIGHT = 80;
  private static final int BEFORE = 30;
  private static final int AFTER = 20;
  private static final int AFTER_RESTART = 5;

  @Test
  void shouldPromoteARetrainedModelThatRunningAndRestartedInstancesUseWhenFramesWereSampled(
      TestPlatform platform) throws Exception {
    long start = System.nanoTime();
    Path dir =
        Files.createTempDirectory(
                Files.createDirectories(Paths.get("target", "tmp")), "retraining-")
            .toAbsolutePath();
    KeyPair keys = ReleaseSignature.generateKeyPair();
    Path privateKey = dir.resolve("trainer.key");
    Files.writeString(privateKey, ReleaseSignature.encode(keys.getPrivate()));
    Path streamsModels = dir.resolve("streams-models");
    Path champion = copyChampion(streamsModels, MODEL, QUALITY);
    copyChampion(dir.resolve("trainer-models"), MODEL, QUALITY);
    copyChampion(dir.resolve("trainer-models"), OTHER_MODEL, 3);
    String oldVersion = champion.getFileName().toString();

    Map<String, Object> streams = streamsConfig(platform, keys);
    streams.put(StreamsAppConfig.MODELS_DIR, streamsModels.toString());
    Map<String, Object> trainer = trainerConfig(platform, streams, dir, privateKey);
    String raw = (String) streams.get(StreamsAppConfig.TOPIC_RAW);
    String latent = (String) streams.get(StreamsAppConfig.TOPIC_LATENT);
    SchemaRegistryClient registry =
        new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl()));
    AvroSerde<RawFrame> rawSerde = new AvroSerde<>(registry, RawFrame.class);
    AvroSerde<LatentFrame> latentSerde = new AvroSerde<>(registry, LatentFrame.class);

    String newVersion;
    try (StreamsApp app = StreamsApp.start(StreamsAppConfig.of(streams));
        TrainerService service = TrainerService.start(TrainerServiceConfig.of(trainer));
        KafkaProducer<byte[], byte[]> producer =
            TopicClients.idempotentProducer(platform.clientConfig())) {
      assertThat(app.models().currentVersion()).isEqualTo(oldVersion);
      send(producer, rawSerde, raw, 0, BEFORE);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> service.reservoir().size() == CAMERAS * BEFORE);

      List<RunStatus> runs = service.requestRun("test").orElseThrow();
      assertThat(runs).extracting(RunStatus::model).containsExactly(MODEL, OTHER_MODEL);
      await()
          .atMost(Duration.ofSeconds(180))
          .until(() -> runs.stream().allMatch(r -> r.state().finished()));
      runs.forEach(r -> LOG.info("run {} of {}: {} {}", r.id(), r.model(), r.state(), r.reason()));
      assertThat(runs).extracting(RunStatus::state).containsOnly(RunStatus.State.PROMOTED);
      RunStatus run = runs.get(0);
      newVersion = run.challenger();
      assertThat(newVersion).startsWith(MODEL + "-").isNotEqualTo(oldVersion);

      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> app.models().currentVersion().equals(newVersion));
      send(producer, rawSerde, raw, BEFORE, BEFORE + AFTER);
      List<LatentFrame> frames =
          readLatent(platform, latentSerde, latent, CAMERAS * (BEFORE + AFTER));
      assertExactlyOnceWithOneSwitch(frames, BEFORE + AFTER, oldVersion, newVersion);

      ReleaseHistory catalog =
          new ReleaseHistory(
              TrainerServiceConfig.of(trainer),
              new AvroSerde<>(registry, ModelRelease.class).deserializer(),
              keys.getPublic());
      assertThat(catalog.history(OTHER_MODEL))
          .extracting(ModelRelease::getVersion)
          .containsExactly(runs.get(1).challenger());
      List<ModelRelease> releases = catalog.history(MODEL);
      assertThat(releases).hasSize(1);
      ModelRelease release = releases.get(0);
      assertThat(release.getVersion()).isEqualTo(newVersion);
      assertThat(release.getParentVersion()).isEqualTo(oldVersion);
      assertThat(release.getTrainingData().getImageCount())
          .isEqualTo(run.toJson(new ObjectMapper()).at("/data/trainFrames").asInt());
      assertThat(release.getMetrics().getImageCount()).isPositive();
      assertThat(ReleaseSignature.verify(keys.getPublic(), release)).isTrue();
    }

    // a restarted instance (fresh state directory) comes up on the promoted version
    streams.put(
        StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory(dir, "state-").toString());
    try (StreamsApp restarted = StreamsApp.start(StreamsAppConfig.of(streams));
        KafkaProducer<byte[], byte[]> producer =
            TopicClients.idempotentProducer(platform.clientConfig())) {
      assertThat(restarted.models().currentVersion()).isEqualTo(newVersion);
      send(producer, rawSerde, raw, BEFORE + AFTER, BEFORE + AFTER + AFTER_RESTART);
      int total = BEFORE + AFTER + AFTER_RESTART;
      List<LatentFrame> frames = readLatent(platform, latentSerde, latent, CAMERAS * total);
      assertExactlyOnceWithOneSwitch(frames, total, oldVersion, newVersion);

      // frames encoded before the swap decode with their own version, through the restarted
      // instance's models
      // (key and delta frames: each camera's chain from its first frame, in order)
      java.util.Map<String, SequenceDecoder> viaService = new java.util.HashMap<>();
      java.util.Map<String, SequenceDecoder> viaOld = new java.util.HashMap<>();
      try (CodecModel old = CodecModel.load(champion)) {
        for (LatentFrame f :
            frames.stream()
                .filter(f -> f.getSequence() < 3)
                .sorted(java.util.Comparator.comparing(LatentFrame::getSequence))
                .toList()) {
          assertThat(f.getModelVersion()).isEqualTo(oldVersion);
          PixelImage decoded =
              viaService
                  .computeIfAbsent(f.getCameraId(), c -> new SequenceDecoder(restarted.models()))
                  .decode(bytes(f.getBitstream()));
          assertThat(decoded.pixels())
              .isEqualTo(
                  viaOld
                      .computeIfAbsent(
                          f.getCameraId(), c -> new SequenceDecoder(LearnedCodec.only(old)))
                      .decode(bytes(f.getBitstream()))
                      .pixels());
          int cam = Integer.parseInt(f.getCameraId().substring("cam-".length()));
          assertThat(QualityMetrics.psnr(decoded, frame(cam, f.getSequence()))).isGreaterThan(12);
        }
      }

      // a manual rollback to the champion is one call (./latentstream trainer rollback --to
      // VERSION)
      ModelRelease rolledBack = Rollback.to(TrainerServiceConfig.of(trainer), oldVersion);
      assertThat(rolledBack.getVersion()).isEqualTo(oldVersion);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> restarted.models().currentVersion().equals(oldVersion));
    }
    LOG.info("RetrainingIT took {} ms", (System.nanoTime() - start) / 1_000_000);
  }

  private static void assertExactlyOnceWithOneSwitch(
      List<LatentFrame> frames, int perCamera, String oldVersion, String newVersion) {
    assertThat(frames).hasSize(CAMERAS * perCamera);
    Set<String> distinct = new HashSet<>();
    frames.forEach(f -> distinct.add(f.getCameraId() + "/" + f.getSequence()));
    assertThat(distinct).hasSize(CAMERAS * perCamera);
    Map<String, List<LatentFrame>> byCamera = new HashMap<>();
    frames.forEach(f -> byCamera.computeIfAbsent(f.getCameraId(), c -> new ArrayList<>()).add(f));
    for (List<LatentFrame> camera : byCamera.values()) {
      assertThat(camera).extracting(LatentFrame::getSequence).isSorted();
      // sampled frames were all encoded before the run started; frames sent after the swap use the
      // new model
      assertThat(camera)
          .filteredOn(f -> f.getSequence() < BEFORE)
          .extracting(LatentFrame::getModelVersion)
          .containsOnly(oldVersion);
      assertThat(camera)
          .filteredOn(f -> f.getSequence() >= BEFORE)
          .extracting(LatentFrame::getModelVersion)
          .containsOnly(newVersion);
    }
  }

  private static Map<String, Object> streamsConfig(TestPlatform platform, KeyPair keys)
      throws IOException {
    Map<String, Object> c = new HashMap<>();
    String app = platform.uniqueName("retraining-app");
    c.put(StreamsAppConfig.BOOTSTRAP_SERVERS, platform.bootstrapServers());
    c.put(StreamsAppConfig.SCHEMA_REGISTRY_URL, platform.registryUrl());
    c.put(StreamsAppConfig.APPLICATION_ID, app);
    c.put(StreamsAppConfig.GROUP_INSTANCE_ID, app + "-instance");
    for (String key : StreamsAppConfig.TOPIC_KEYS) {
      c.put(key, platform.uniqueName(key.substring("topic.".length())));
    }
    c.put(StreamsAppConfig.TOPIC_PARTITIONS, 2);
    c.put(StreamsAppConfig.MODEL_NAME, FAMILY);
    c.put(StreamsAppConfig.MODEL_QUALITY, QUALITY);
    c.put(StreamsAppConfig.MODEL_PUBLIC_KEY, ReleaseSignature.encode(keys.getPublic()));
    c.put(StreamsAppConfig.SAMPLE_RATE, 1.0);
    c.put(StreamsAppConfig.SAMPLE_MAX_PER_MINUTE, 10_000);
    c.put(StreamsAppConfig.PSNR_SAMPLE_RATE, 0.0);
    c.put(StreamsAppConfig.HTTP_PORT, 0);
    c.put(
        StreamsConfig.STATE_DIR_CONFIG,
        Files.createTempDirectory(
                Files.createDirectories(Paths.get("target", "tmp")), "retraining-state-")
            .toAbsolutePath()
            .toString());
    return c;
  }

  private static Map<String, Object> trainerConfig(
      TestPlatform platform, Map<String, Object> streams, Path dir, Path privateKey) {
    Map<String, Object> c = new HashMap<>();
    c.put(TrainerServiceConfig.BOOTSTRAP_SERVERS, platform.bootstrapServers());
    c.put(TrainerServiceConfig.SCHEMA_REGISTRY_URL, platform.registryUrl());
    c.put(TrainerServiceConfig.GROUP_ID, platform.uniqueName("trainer"));
    c.put(TrainerServiceConfig.TOPIC_SAMPLE, streams.get(StreamsAppConfig.TOPIC_SAMPLE));
    c.put(TrainerServiceConfig.TOPIC_RELEASES, streams.get(StreamsAppConfig.TOPIC_RELEASES));
    c.put(TrainerServiceConfig.TOPIC_ARTIFACTS, streams.get(StreamsAppConfig.TOPIC_ARTIFACTS));
    c.put(TrainerServiceConfig.MODEL_NAMES, MODEL + "," + OTHER_MODEL);
    c.put(TrainerServiceConfig.MODELS_DIR, dir.resolve("trainer-models").toString());
    c.put(TrainerServiceConfig.WORK_DIR, dir.resolve("trainer-work").toString());
    c.put(TrainerServiceConfig.RESERVOIR_DIR, dir.resolve("reservoir").toString());
    c.put(TrainerServiceConfig.RESERVOIR_HELDOUT_FRACTION, 0.2);
    c.put(TrainerServiceConfig.RUN_MIN_TRAIN_FRAMES, 10);
    c.put(TrainerServiceConfig.RUN_MIN_HELDOUT_FRAMES, 4);
    c.put(TrainerServiceConfig.TRAIN_STEPS, 40);
    c.put(TrainerServiceConfig.TRAIN_LEARNING_RATE, 1e-3);
    c.put(TrainerServiceConfig.TRAIN_CROP, "64x64");
    c.put(TrainerServiceConfig.TRAIN_BATCH, 4);
    c.put(
        TrainerServiceConfig.GATE_MIN_IMPROVEMENT,
        -1.0); // permissive: PromotionGateIT tests the refusal
    c.put(TrainerServiceConfig.GATE_CAMERA_TOLERANCE, 10.0);
    c.put(TrainerServiceConfig.SCHEDULE_INTERVAL_MS, 0);
    c.put(TrainerServiceConfig.HTTP_PORT, 0);
    c.put(TrainerServiceConfig.SIGNING_PRIVATE_KEY_FILE, privateKey.toString());
    return c;
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer,
      AvroSerde<RawFrame> serde,
      String topic,
      int from,
      int to) {
    for (int seq = from; seq < to; seq++) {
      for (int cam = 0; cam < CAMERAS; cam++) {
        RawFrame frame = CameraFeed.uncompressed("cam-" + cam, seq, Instant.now(), frame(cam, seq));
        producer.send(ItFrames.record(topic, frame, serde.serializer().serialize(topic, frame)));
      }
    }
    producer.flush();
  }

  /**
   * Reads the latent topic (read_committed) until {@code expected} frames arrived, then to its end.
   */
  private static List<LatentFrame> readLatent(
      TestPlatform platform, AvroSerde<LatentFrame> serde, String topic, int expected) {
    return TopicClients.readCommitted(
            platform.clientConfig(), topic, expected, Duration.ofSeconds(90))
        .stream()
        .map(r -> serde.deserializer().deserialize(topic, r.value()))
        .toList();
  }

  /**
   * Frame {@code seq} of camera {@code cam}: one photo seen by a fixed camera, sensor noise,
   * objects crossing.
   */
  static PixelImage frame(int cam, long seq) {
    return TestImages.fixedCameras(List.of(SCENES), WIDTH, HEIGHT, CAMERAS)
        .image(cam % SCENES.length, seq);
  }

  static Path root() {
    String root = System.getProperty("latentstream.root");
    return root != null ? Paths.get(root) : Paths.get("..").toAbsolutePath().normalize();
  }

  /**
   * The trainer's tiny fixture package (N=8, M=8) renamed {@code name} in {@code modelsDir}: same
   * files, so the same digest; only the manifest's name, version and quality change.
   */
  static Path copyChampion(Path modelsDir, String name, int quality) {
    return FixtureModels.copyPackageAs(
        FixtureModels.trainerFixture(root()), modelsDir, name, quality);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
