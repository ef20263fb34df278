package io.latentstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.model.FixtureModels;
import io.latentstream.schemas.DecodeOutputFormat;
import io.latentstream.schemas.DecodeRequest;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.serde.RecordSerdes;
import io.latentstream.testkit.TestPlatform;
import io.latentstream.testkit.TopicClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Configuration of one app instance on the shared test platform (unique topics, application id and
 * state directory; the fixture models), and plain clients to feed it and read what it wrote
 * (read_committed).
 */
public final class PipelineFixture {

  private final TestPlatform platform;
  private final Map<String, Object> config = new HashMap<>();
  private final RecordSerdes serdes;
  private final AvroSerde<DecodeRequest> decodeRequests;

  public PipelineFixture(TestPlatform platform, int partitions) {
    this.platform = platform;
    String app = platform.uniqueName("encode-app");
    config.put(StreamsAppConfig.BOOTSTRAP_SERVERS, platform.bootstrapServers());
    config.put(StreamsAppConfig.SCHEMA_REGISTRY_URL, platform.registryUrl());
    config.put(StreamsAppConfig.APPLICATION_ID, app);
    config.put(StreamsAppConfig.GROUP_INSTANCE_ID, app + "-instance");
    for (String key : StreamsAppConfig.TOPIC_KEYS) {
      config.put(key, platform.uniqueName(key.substring("topic.".length())));
    }
    config.put(StreamsAppConfig.TOPIC_PARTITIONS, partitions);
    config.put(StreamsAppConfig.MODELS_DIR, FixtureModels.modelsDir().toString());
    config.put(StreamsAppConfig.MODEL_NAME, "default");
    config.put(StreamsAppConfig.MODEL_QUALITY, 2);
    config.put(StreamsAppConfig.HTTP_PORT, 0);
    config.put(StreamsAppConfig.PSNR_SAMPLE_RATE, 0.0);
    // a fresh state directory: application ids repeat across test runs (the broker does not), and a
    // stale state
    // would have to be wiped and restored first
    config.put(StreamsConfig.STATE_DIR_CONFIG, freshDirectory(app + "-state-"));
    serdes =
        new RecordSerdes(new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl())));
    decodeRequests = new AvroSerde<>(serdes.client(), DecodeRequest.class);
  }

  /** A new, empty directory under {@code target/tmp}. */
  public static String freshDirectory(String prefix) {
    try {
      Path parent = Files.createDirectories(Paths.get("target", "tmp"));
      return Files.createTempDirectory(parent, prefix).toAbsolutePath().toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public PipelineFixture set(String key, Object value) {
    config.put(key, value);
    return this;
  }

  public StreamsAppConfig config() {
    return StreamsAppConfig.of(config);
  }

  public String topic(String key) {
    return (String) config.get(key);
  }

  public RecordSerdes serdes() {
    return serdes;
  }

  public KafkaProducer<byte[], byte[]> producer() {
    return TopicClients.idempotentProducer(platform.clientConfig());
  }

  /**
   * The configuration of another instance of the same application: the settings so far, its own
   * group instance id ({@code <application id>-<suffix>}) and a fresh state directory. Later {@link
   * #config()} calls keep them.
   */
  public StreamsAppConfig anotherInstance(String suffix) {
    String instance = config.get(StreamsAppConfig.APPLICATION_ID) + "-" + suffix;
    return set(StreamsAppConfig.GROUP_INSTANCE_ID, instance)
        .set(StreamsConfig.STATE_DIR_CONFIG, freshDirectory(instance + "-"))
        .config();
  }

  /**
   * Sends frames {@code 0..frames-1} of cameras {@code 0..cameras-1} ({@link TestFrames}) to the
   * raw topic, keyed by camera, and waits until all are acknowledged.
   */
  public void sendFrames(KafkaProducer<byte[], byte[]> producer, int cameras, int frames) {
    sendFrames(producer, cameras, 0, frames);
  }

  /**
   * As {@link #sendFrames(KafkaProducer, int, int)}, sequence numbers {@code from} (inclusive) to
   * {@code to}.
   */
  public void sendFrames(KafkaProducer<byte[], byte[]> producer, int cameras, int from, int to) {
    for (int seq = from; seq < to; seq++) {
      for (int cam = 0; cam < cameras; cam++) {
        sendRaw(producer, TestFrames.raw(TestFrames.camera(cam), seq, TestFrames.image(cam, seq)));
      }
    }
    producer.flush();
  }

  /** Sends {@code frame} to the raw topic keyed by its camera id, as a camera does; not flushed. */
  public Future<RecordMetadata> sendRaw(KafkaProducer<byte[], byte[]> producer, RawFrame frame) {
    String raw = topic(StreamsAppConfig.TOPIC_RAW);
    return producer.send(
        new ProducerRecord<>(
            raw,
            frame.getCameraId().getBytes(StandardCharsets.UTF_8),
            serdes.rawFrame().serializer().serialize(raw, frame)));
  }

  /** A request for frame {@code sequence} of {@code camera}, answered in {@code format}. */
  public static DecodeRequest decodeRequest(
      String id, String camera, long sequence, DecodeOutputFormat format) {
    return DecodeRequest.newBuilder()
        .setRequestId(id)
        .setCameraId(camera)
        .setSequence(sequence)
        .setOutputFormat(format)
        .setRequestTime(Instant.now())
        .build();
  }

  /** Sends {@code request} to the decode-requests topic keyed by its id; not flushed. */
  public void sendDecodeRequest(KafkaProducer<byte[], byte[]> producer, DecodeRequest request) {
    String topic = topic(StreamsAppConfig.TOPIC_DECODE_REQUESTS);
    producer.send(
        new ProducerRecord<>(
            topic,
            request.getRequestId().getBytes(StandardCharsets.UTF_8),
            decodeRequests.serializer().serialize(topic, request)));
  }

  /** The latent topic's committed frames, read as {@link #readCommitted} does. */
  public List<LatentFrame> readLatent(int expected, Duration timeout) {
    return latentFrames(readCommitted(topic(StreamsAppConfig.TOPIC_LATENT), expected, timeout));
  }

  /** The values of records read from the latent topic, deserialized, in the same order. */
  public List<LatentFrame> latentFrames(List<ConsumerRecord<byte[], byte[]>> records) {
    String latent = topic(StreamsAppConfig.TOPIC_LATENT);
    return records.stream()
        .map(r -> serdes.latentFrame().deserializer().deserialize(latent, r.value()))
        .toList();
  }

  /**
   * Asserts exactly-once output: {@code expected} frames, and no camera and sequence number twice.
   */
  public static void assertEachFrameOnce(List<LatentFrame> frames, int expected) {
    assertThat(frames).hasSize(expected);
    assertThat(frames.stream().map(f -> f.getCameraId() + "/" + f.getSequence()).distinct())
        .as("distinct camera/sequence pairs")
        .hasSize(expected);
  }

  /**
   * Reads a topic from the beginning with read_committed until {@code expected} records arrived or
   * the timeout passed, then keeps reading up to the end offsets so that extra (duplicate) records
   * are seen too.
   */
  public List<ConsumerRecord<byte[], byte[]>> readCommitted(
      String topic, int expected, Duration timeout) {
    return TopicClients.readCommitted(platform.clientConfig(), topic, expected, timeout);
  }

  /**
   * A GET with a 30 s timeout, the body as bytes; any failure to get an answer is an
   * IllegalStateException.
   */
  public static HttpResponse<byte[]> get(HttpClient http, URI uri) {
    try {
      return http.send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (Exception e) {
      throw new IllegalStateException(uri + ": " + e, e);
    }
  }
}
