package io.latentstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.DeadLetterReason;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acceptance 2 of the streams app: every kind of bad input, interleaved with good frames, lands in
 * the dead-letter topic with its reason, coordinates and original bytes; every good frame is
 * encoded; the service keeps running.
 */
@RealPlatform
class DeadLetterIT {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterIT.class);

  @Test
  void shouldDeadLetterEveryBadInputAndEncodeEveryGoodFrameWhenTheyAreInterleaved(
      TestPlatform platform) throws Exception {
    // a small pixel limit so that the decompression-bomb and oversized cases stay small records
    PipelineFixture fixture =
        new PipelineFixture(platform, 2).set(StreamsAppConfig.FRAME_MAX_PIXELS, 100_000);
    String raw = fixture.topic(StreamsAppConfig.TOPIC_RAW);
    String dlq = fixture.topic(StreamsAppConfig.TOPIC_DLQ);
    String latent = fixture.topic(StreamsAppConfig.TOPIC_LATENT);
    List<BadFrames.BadInput> bad =
        BadFrames.all(
            fixture.serdes().rawFrame().serializer(),
            fixture.serdes().deadLetter().serializer(),
            raw,
            dlq);
    assertThat(bad.stream().map(BadFrames.BadInput::reason).distinct())
        .hasSizeGreaterThanOrEqualTo(9);
    assertThat(bad).hasSizeGreaterThanOrEqualTo(10);
    long start = System.nanoTime();
    try (StreamsApp app = StreamsApp.start(fixture.config());
        KafkaProducer<byte[], byte[]> producer = fixture.producer()) {
      Map<String, RecordMetadata> sent = new HashMap<>();
      int good = 0;
      for (BadFrames.BadInput input : bad) {
        sent.put(
            input.label(),
            producer.send(new ProducerRecord<>(raw, input.key(), input.value())).get());
        for (int i = 0; i < 2; i++) {
          fixture.sendRaw(
              producer, TestFrames.raw(TestFrames.camera(i), good, TestFrames.image(i, good)));
        }
        good++;
      }
      producer.flush();

      List<ConsumerRecord<byte[], byte[]>> letters =
          fixture.readCommitted(dlq, bad.size(), Duration.ofSeconds(90));
      assertThat(letters).hasSize(bad.size());
      Map<String, DeadLetter> byLabel = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : letters) {
        DeadLetter letter =
            fixture.serdes().deadLetter().deserializer().deserialize(dlq, r.value());
        byLabel.put(new String(r.key(), StandardCharsets.UTF_8).substring("bad-".length()), letter);
      }
      for (BadFrames.BadInput input : bad) {
        DeadLetter letter = byLabel.get(input.label());
        assertThat(letter).as(input.label()).isNotNull();
        assertThat(letter.getReason())
            .as(input.label() + ": " + letter.getMessage())
            .isEqualTo(input.reason());
        assertThat(letter.getSourceTopic()).isEqualTo(raw);
        assertThat(letter.getSourcePartition()).isEqualTo(sent.get(input.label()).partition());
        assertThat(letter.getSourceOffset()).isEqualTo(sent.get(input.label()).offset());
        assertThat(bytes(letter.getKey())).isEqualTo(input.key());
        if (input.value() == null) {
          assertThat(letter.getValue()).isNull();
        } else {
          assertThat(bytes(letter.getValue())).as(input.label()).isEqualTo(input.value());
          assertThat(letter.getOriginalSize()).isEqualTo(input.value().length);
        }
      }

      List<ConsumerRecord<byte[], byte[]>> encoded =
          fixture.readCommitted(latent, 2 * good, Duration.ofSeconds(60));
      Set<String> frames =
          encoded.stream()
              .map(
                  r -> fixture.serdes().latentFrame().deserializer().deserialize(latent, r.value()))
              .map(f -> f.getCameraId() + "/" + f.getSequence())
              .collect(Collectors.toSet());
      assertThat(encoded).hasSize(2 * good);
      assertThat(frames).hasSize(2 * good);

      assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
      assertThat(app.isReady()).isTrue();
      for (DeadLetterReason reason :
          bad.stream().map(BadFrames.BadInput::reason).collect(Collectors.toSet())) {
        assertThat(app.metrics().deadLetters(reason))
            .isEqualTo(bad.stream().filter(b -> b.reason() == reason).count());
      }
      LOG.info(
          "DeadLetterIT: {} bad and {} good records handled in {} ms",
          bad.size(),
          2 * good,
          (System.nanoTime() - start) / 1_000_000);
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
