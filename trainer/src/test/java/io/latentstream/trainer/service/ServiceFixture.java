package io.latentstream.trainer.service;

import io.latentstream.codec.TestImages;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.platform.LoopbackPorts;
import io.latentstream.schemas.PixelFormat;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.testkit.TestPlatform;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the service ITs share: fixed-camera frames cut from the repository's photos, the trainer's
 * tiny fixture package (N=8, M=8) renamed as the champion, and a service configuration on the test
 * platform with unique topics and directories.
 */
final class ServiceFixture {
  static final String[] SCENES = {
    "skimage_chelsea.png", "skimage_astronaut.png", "jigsaw_tiger.jpg"
  };
  static final int WIDTH = 96;
  static final int HEIGHT = 80;

  private final TestPlatform platform;
  private final Path dir;
  private final Map<String, Object> config = new HashMap<>();

  ServiceFixture(TestPlatform platform, String name) throws IOException {
    this.platform = platform;
    this.dir =
        Files.createTempDirectory(Files.createDirectories(Paths.get("target", "tmp")), name + "-")
            .toAbsolutePath();
    config.put(TrainerServiceConfig.BOOTSTRAP_SERVERS, platform.bootstrapServers());
    config.put(TrainerServiceConfig.SCHEMA_REGISTRY_URL, platform.registryUrl());
    config.put(TrainerServiceConfig.GROUP_ID, platform.uniqueName("trainer"));
    config.put(TrainerServiceConfig.TOPIC_SAMPLE, platform.uniqueName("images.sample"));
    config.put(TrainerServiceConfig.TOPIC_RELEASES, platform.uniqueName("models.releases"));
    config.put(TrainerServiceConfig.TOPIC_ARTIFACTS, platform.uniqueName("models.artifacts"));
    config.put(TrainerServiceConfig.MODELS_DIR, dir.resolve("models").toString());
    config.put(TrainerServiceConfig.WORK_DIR, dir.resolve("work").toString());
    config.put(TrainerServiceConfig.RESERVOIR_DIR, dir.resolve("reservoir").toString());
    config.put(TrainerServiceConfig.RESERVOIR_HELDOUT_FRACTION, 0.25);
    config.put(TrainerServiceConfig.RUN_MIN_TRAIN_FRAMES, 8);
    config.put(TrainerServiceConfig.RUN_MIN_HELDOUT_FRAMES, 4);
    config.put(TrainerServiceConfig.TRAIN_CROP, "64x64");
    config.put(TrainerServiceConfig.TRAIN_BATCH, 4);
    config.put(TrainerServiceConfig.SCHEDULE_INTERVAL_MS, 0);
    config.put(TrainerServiceConfig.HTTP_PORT, 0);
    config.put(TrainerServiceConfig.SIGNING_ALLOW_UNSIGNED, true);
    platform.createTopic(topic(TrainerServiceConfig.TOPIC_SAMPLE), 2);
    platform.createTopic(
        topic(TrainerServiceConfig.TOPIC_RELEASES), 1, Map.of("cleanup.policy", "compact"));
    platform.createTopic(
        topic(TrainerServiceConfig.TOPIC_ARTIFACTS), 1, Map.of("cleanup.policy", "compact"));
  }

  /**
   * A new, mutable service configuration whose Kafka and registry are unreachable (a port nothing
   * listens on, short client timeouts): runs fail, the endpoints answer.
   */
  static Map<String, Object> unreachableConfig(Path dir) throws IOException {
    int deadPort = LoopbackPorts.findFree(); // free: nothing listens there
    Map<String, Object> c = new HashMap<>();
    c.put(TrainerServiceConfig.BOOTSTRAP_SERVERS, "127.0.0.1:" + deadPort);
    c.put(TrainerServiceConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:" + deadPort);
    c.put(TrainerServiceConfig.MODEL_NAMES, "tiny-q4");
    c.put(TrainerServiceConfig.MODELS_DIR, dir.resolve("models").toString());
    c.put(TrainerServiceConfig.WORK_DIR, dir.resolve("work").toString());
    c.put(TrainerServiceConfig.RESERVOIR_DIR, dir.resolve("reservoir").toString());
    c.put(TrainerServiceConfig.SCHEDULE_INTERVAL_MS, 0);
    c.put(TrainerServiceConfig.HTTP_PORT, 0);
    c.put(TrainerServiceConfig.SIGNING_ALLOW_UNSIGNED, true);
    c.put("default.api.timeout.ms", 1500);
    c.put("request.timeout.ms", 1000);
    return c;
  }

  ServiceFixture set(String key, Object value) {
    config.put(key, value);
    return this;
  }

  String topic(String key) {
    return (String) config.get(key);
  }

  Path dir() {
    return dir;
  }

  TrainerServiceConfig config() {
    return TrainerServiceConfig.of(config);
  }

  /** The repository root (set by the build; the working directory's parent otherwise). */
  static Path root() {
    String root = System.getProperty("latentstream.root");
    return root != null ? Paths.get(root) : Paths.get("..").toAbsolutePath().normalize();
  }

  /**
   * Copies the trainer's fixture package into the models directory under another name (same files,
   * so the same digest; only the manifest's name and version change).
   */
  Path champion(String name) throws IOException {
    Path fixture = FixtureModels.trainerFixture(root());
    Path target = FixtureModels.copyPackageAs(fixture, dir.resolve("models"), name, null);
    config.put(TrainerServiceConfig.MODEL_NAMES, name);
    return target;
  }

  /**
   * Frame {@code seq} of camera {@code cam}: one photo seen by a fixed camera, sensor noise,
   * objects crossing.
   */
  static PixelImage frame(int cam, long seq) {
    return TestImages.fixedCameras(List.of(SCENES), WIDTH, HEIGHT, SCENES.length)
        .image(cam % SCENES.length, seq);
  }

  static PixelImage noise(long seed) {
    byte[] px = new byte[WIDTH * HEIGHT * 3];
    new Random(seed).nextBytes(px);
    return new PixelImage(WIDTH, HEIGHT, io.latentstream.codec.image.PixelFormat.RGB24, px);
  }

  static RawFrame raw(String camera, long seq, PixelImage image) {
    return RawFrame.newBuilder()
        .setCameraId(camera)
        .setSequence(seq)
        .setCaptureTime(Instant.now().minusSeconds(60).plusMillis(seq * 40))
        .setWidth(image.width())
        .setHeight(image.height())
        .setPixelFormat(PixelFormat.RGB24)
        .setPixels(ByteBuffer.wrap(image.pixels()))
        .build();
  }

  /**
   * Publishes {@code frames} frames of each camera to the sample topic, as the streams app would.
   */
  void sendSamples(int cameras, int frames) {
    sendSamples(cameras, frames, false);
  }

  /**
   * As {@link #sendSamples(int, int)}; with {@code corruptTraining} the frames that the reservoir
   * will use for training carry random noise instead of the camera's view (held-out frames stay
   * real): a corrupted target.
   */
  void sendSamples(int cameras, int frames, boolean corruptTraining) {
    double fraction =
        ((Number) config.get(TrainerServiceConfig.RESERVOIR_HELDOUT_FRACTION)).doubleValue();
    String topic = topic(TrainerServiceConfig.TOPIC_SAMPLE);
    AvroSerde<RawFrame> serde =
        new AvroSerde<>(
            new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl())),
            RawFrame.class);
    Map<String, Object> p = platform.clientConfig();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int seq = 0; seq < frames; seq++) {
        for (int cam = 0; cam < cameras; cam++) {
          String camera = "cam-" + cam;
          boolean corrupt =
              corruptTraining
                  && FrameReservoir.splitOf(camera, seq, fraction) == FrameReservoir.Split.TRAIN;
          producer.send(
              new ProducerRecord<>(
                  topic,
                  camera.getBytes(StandardCharsets.UTF_8),
                  serde
                      .serializer()
                      .serialize(topic, raw(camera, seq, corrupt ? noise(seq) : frame(cam, seq)))));
        }
      }
    }
  }
}
