package io.latentstream.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.DeadLetterReason;
import io.latentstream.schemas.PixelFormat;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Poison records on the trainer's input topic (the sample topic) on the real broker and registry:
 * garbage, a truncated frame, a record of another schema and an oversized frame are each skipped
 * and counted by reason, and the reader keeps running and stores the good samples around them.
 */
@RealPlatform
class SamplePoisonRecordIT {

  @Test
  void shouldSkipAndCountEveryPoisonSampleAndKeepStoringGoodOnes(TestPlatform platform)
      throws Exception {
    ServiceFixture fixture = new ServiceFixture(platform, "sample-poison");
    TrainerServiceConfig config = fixture.config();
    String topic = fixture.topic(TrainerServiceConfig.TOPIC_SAMPLE);
    SchemaRegistryClient registry =
        new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl()));
    AvroSerde<RawFrame> frames = new AvroSerde<>(registry, RawFrame.class);
    byte[] good0 =
        frames
            .serializer()
            .serialize(topic, ServiceFixture.raw("cam-0", 0, ServiceFixture.frame(0, 0)));
    byte[] good1 =
        frames
            .serializer()
            .serialize(topic, ServiceFixture.raw("cam-0", 1, ServiceFixture.frame(0, 1)));
    byte[] good2 =
        frames
            .serializer()
            .serialize(topic, ServiceFixture.raw("cam-0", 2, ServiceFixture.frame(0, 2)));
    byte[] garbage = "not a frame at all".getBytes(StandardCharsets.UTF_8);
    byte[] truncated = Arrays.copyOf(good1, good1.length / 2);
    byte[] wrongSchema =
        new AvroSerde<>(registry, DeadLetter.class)
            .serializer()
            .serialize(
                topic,
                DeadLetter.newBuilder()
                    .setSourceTopic("images.raw")
                    .setSourcePartition(0)
                    .setSourceOffset(1)
                    .setReason(DeadLetterReason.UNKNOWN)
                    .setMessage("a dead letter where a frame belongs")
                    .setFailureTime(Instant.now())
                    .setOriginalSize(0)
                    .build());
    // 2 MiB of pixels declaring a frame far beyond any size a camera sends
    byte[] oversized =
        frames
            .serializer()
            .serialize(
                topic,
                RawFrame.newBuilder()
                    .setCameraId("cam-big")
                    .setSequence(0)
                    .setCaptureTime(Instant.now())
                    .setWidth(100_000)
                    .setHeight(100_000)
                    .setPixelFormat(PixelFormat.RGB24)
                    .setPixels(ByteBuffer.wrap(new byte[2 << 20]))
                    .build());

    Map<String, Object> p = platform.clientConfig();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      // one partition's order: good, the four poisons, good
      for (byte[] value : List.of(good0, garbage, truncated, wrongSchema, oversized, good1)) {
        producer
            .send(new ProducerRecord<>(topic, 0, "cam-0".getBytes(StandardCharsets.UTF_8), value))
            .get();
      }
    }

    FrameReservoir reservoir = FrameReservoir.open(config, Clock.systemUTC());
    try (SampleReader reader = new SampleReader(config, frames.deserializer(), reservoir)) {
      reader.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> reader.storedCount() == 2);
      assertThat(reader.skippedCount()).isEqualTo(4);
      assertThat(reader.skippedByReason())
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "UNDECODABLE_PAYLOAD",
                  1L,
                  "TRUNCATED_PAYLOAD",
                  1L,
                  "SCHEMA_MISMATCH",
                  1L,
                  "InvalidImageException",
                  1L));
      assertThat(reader.isAlive()).isTrue();

      // and it goes on reading
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
        producer
            .send(new ProducerRecord<>(topic, 0, "cam-0".getBytes(StandardCharsets.UTF_8), good2))
            .get();
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> reader.storedCount() == 3);
      assertThat(reader.skippedCount()).isEqualTo(4);
      assertThat(reader.isAlive()).isTrue();
    }
  }
}
