package io.latentstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.platform.LocalPlatform;
import io.latentstream.platform.LoopbackPorts;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.PixelFormat;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.schemas.serde.AvroDeserializer;
import io.latentstream.schemas.serde.AvroSerializer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local platform ({@code ./latentstream platform --data-dir D}) restarted on the same
 * directory: every record written before, of two schemas, still deserializes with a registry client
 * that has cached nothing, because the registry kept the schema ids it gave out.
 */
class RegistryRestartIT {
  private static final int RECORDS = 20;

  @TempDir Path dataDir;

  @Test
  void shouldReadEveryRecordWrittenBeforeTheLocalPlatformRestarted() throws Exception {
    LocalPlatform.Builder builder =
        LocalPlatform.builder()
            .optDataDir(dataDir)
            .optBrokerPort(LoopbackPorts.findFree())
            .optControllerPort(LoopbackPorts.findFree())
            .optRegistryPort(LoopbackPorts.findFree());
    List<LatentFrame> latents = new ArrayList<>();
    List<RawFrame> raws = new ArrayList<>();
    try (LocalPlatform platform = builder.start()) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", platform.bootstrapServers()))) {
        admin
            .createTopics(
                List.of(new NewTopic("latents", 1, (short) 1), new NewTopic("raws", 1, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      SchemaRegistryClient client =
          new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl()));
      AvroSerializer<LatentFrame> latentSerializer = new AvroSerializer<>(client);
      AvroSerializer<RawFrame> rawSerializer = new AvroSerializer<>(client);
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  platform.bootstrapServers(),
                  ProducerConfig.ACKS_CONFIG,
                  "all"),
              new ByteArraySerializer(),
              new ByteArraySerializer())) {
        for (int i = 0; i < RECORDS; i++) {
          LatentFrame latent = latent(i);
          RawFrame raw = TestFrames.raw("cam-" + i % 3, i, TestFrames.image(i % 3, i));
          latents.add(latent);
          raws.add(raw);
          producer.send(
              new ProducerRecord<>(
                  "latents", key(i), latentSerializer.serialize("latents", latent)));
          producer.send(new ProducerRecord<>("raws", key(i), rawSerializer.serialize("raws", raw)));
        }
        producer.flush();
      }
    }

    try (LocalPlatform platform = builder.start()) {
      // a client that has cached nothing: every schema id is asked of the restarted registry
      SchemaRegistryClient fresh =
          new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl()));
      AvroDeserializer<LatentFrame> latentReader = new AvroDeserializer<>(fresh, LatentFrame.class);
      AvroDeserializer<RawFrame> rawReader = new AvroDeserializer<>(fresh, RawFrame.class);
      assertThat(
              read(platform, "latents").stream()
                  .map(v -> latentReader.deserialize("latents", v))
                  .toList())
          .isEqualTo(latents);
      assertThat(
              read(platform, "raws").stream().map(v -> rawReader.deserialize("raws", v)).toList())
          .isEqualTo(raws);
    }
  }

  private static LatentFrame latent(int i) {
    return LatentFrame.newBuilder()
        .setCameraId("cam-" + i % 3)
        .setSequence(i)
        .setCaptureTime(Instant.ofEpochMilli(1_764_028_800_000L + i))
        .setEncodeTime(Instant.ofEpochMilli(1_764_028_800_500L + i))
        .setModelName("default-q2")
        .setModelVersion("default-q2-20261125000000-0badc0de")
        .setFrameType(FrameType.KEY)
        .setOriginalWidth(64)
        .setOriginalHeight(48)
        .setOriginalFormat(PixelFormat.RGB24)
        .setBitstream(ByteBuffer.wrap(new byte[] {1, 2, 3, (byte) i}))
        .setBpp(0.5)
        .build();
  }

  private static byte[] key(int i) {
    return ("cam-" + i % 3).getBytes(StandardCharsets.UTF_8);
  }

  /** Every value of a one-partition topic, in order. */
  private static List<byte[]> read(LocalPlatform platform, String topic) {
    List<byte[]> values = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (values.size() < RECORDS && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }
}
