package io.latentstream.streams;

import static io.latentstream.streams.PipelineFixture.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.latentstream.codec.bitstream.TestBitstreams;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.DeadLetterReason;
import io.latentstream.schemas.DecodeOutputFormat;
import io.latentstream.schemas.DecodeRequest;
import io.latentstream.schemas.DecodeStatus;
import io.latentstream.schemas.DecodedFrame;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.PixelFormat;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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
 * Hostile records on every input topic of the streams app (frames, key-frame requests, latent
 * frames, decode requests): garbage, truncated, another schema's, oversized. Each one is
 * dead-lettered with its reason, topic, offset and bytes, or answered FAILED; a decode answer
 * larger than a record may be is refused with a pointer to the REST endpoint; the app stays RUNNING
 * and keeps encoding and answering; every count is exact.
 */
@RealPlatform
class PoisonRecordIT {

  private static final Logger LOG = LoggerFactory.getLogger(PoisonRecordIT.class);

  /** The decoded topic's records hold at most this many pixel bytes (plus the envelope, 64 KiB). */
  private static final int FRAME_MAX_BYTES = 16 * 1024;

  /** 192x160 RGB: 92,160 bytes decoded, more than FRAME_MAX_BYTES plus the envelope. */
  private static final int BIG_WIDTH = 192;

  private static final int BIG_HEIGHT = 160;

  /**
   * A poison record: where it goes, its label (key "poison-label"), its value and the reason
   * expected.
   */
  private record Poison(String topic, String label, byte[] value, DeadLetterReason reason) {
    byte[] key() {
      return ("poison-" + label).getBytes(StandardCharsets.UTF_8);
    }
  }

  @Test
  void shouldDeadLetterOrFailEveryPoisonRecordAndKeepRunning(TestPlatform platform)
      throws Exception {
    long start = System.nanoTime();
    PipelineFixture fixture =
        new PipelineFixture(platform, 2)
            .set(StreamsAppConfig.FRAME_MAX_PIXELS, 100_000)
            .set(StreamsAppConfig.FRAME_MAX_BYTES, FRAME_MAX_BYTES)
            .set(StreamsAppConfig.SAMPLE_RATE, 0.0);
    String raw = fixture.topic(StreamsAppConfig.TOPIC_RAW);
    String latent = fixture.topic(StreamsAppConfig.TOPIC_LATENT);
    String requests = fixture.topic(StreamsAppConfig.TOPIC_DECODE_REQUESTS);
    String decoded = fixture.topic(StreamsAppConfig.TOPIC_DECODED);
    String dlq = fixture.topic(StreamsAppConfig.TOPIC_DLQ);
    String keyframes = fixture.topic(StreamsAppConfig.TOPIC_KEYFRAME_REQUESTS);
    AvroSerde<DecodeRequest> requestSerde =
        new AvroSerde<>(fixture.serdes().client(), DecodeRequest.class);
    AvroSerde<DecodedFrame> decodedSerde =
        new AvroSerde<>(fixture.serdes().client(), DecodedFrame.class);
    HttpClient http = HttpClient.newHttpClient();
    try (StreamsApp app = StreamsApp.start(fixture.config());
        KafkaProducer<byte[], byte[]> producer = fixture.producer()) {
      // good frames: two small ones of cam-0 and a big one of cam-1 (a JPEG record, so that it fits
      // the topic)
      fixture.sendRaw(producer, TestFrames.raw("cam-0", 0, TestFrames.image(0, 0)));
      fixture.sendRaw(producer, TestFrames.raw("cam-0", 1, TestFrames.image(0, 1)));
      PixelImage big = ImageFiles.resize(TestFrames.image(1, 0), BIG_WIDTH, BIG_HEIGHT);
      fixture.sendRaw(
          producer,
          TestFrames.file(
              "cam-1", 0, PixelFormat.JPEG, TestFrames.jpeg(big), BIG_WIDTH, BIG_HEIGHT));
      producer.flush();
      List<LatentFrame> good = latentFrames(fixture, latent, 3);
      assertThat(good).hasSize(3);
      for (LatentFrame f : good) {
        URI uri =
            app.http()
                .baseUri()
                .resolve("/frames/" + f.getCameraId() + "/" + f.getSequence() + "?format=raw");
        await().atMost(Duration.ofSeconds(60)).until(() -> get(http, uri).statusCode() == 200);
      }

      List<Poison> poisons = poisons(fixture, requestSerde, good.get(0), raw, latent, requests);
      Map<String, RecordMetadata> sent = new HashMap<>();
      for (Poison p : poisons) {
        sent.put(
            p.label(), producer.send(new ProducerRecord<>(p.topic(), p.key(), p.value())).get());
      }
      // key-frame requests carry no payload: any value is a request for the camera of its key, none
      // is dead-lettered
      producer.send(
          new ProducerRecord<>(
              keyframes, bytes("cam-0"), "garbage".getBytes(StandardCharsets.UTF_8)));
      producer.send(new ProducerRecord<>(keyframes, null, new byte[FRAME_MAX_BYTES]));
      // requests that are fine but cannot be answered with pixels
      fixture.sendDecodeRequest(
          producer, PipelineFixture.decodeRequest("req-ok", "cam-0", 1, DecodeOutputFormat.RAW));
      fixture.sendDecodeRequest(
          producer, PipelineFixture.decodeRequest("req-big", "cam-1", 0, DecodeOutputFormat.RAW));
      fixture.sendDecodeRequest(
          producer,
          PipelineFixture.decodeRequest("req-poisoned", "cam-9", 0, DecodeOutputFormat.PNG));
      // and the service keeps encoding
      fixture.sendRaw(producer, TestFrames.raw("cam-0", 2, TestFrames.image(0, 2)));
      fixture.sendRaw(producer, TestFrames.raw("cam-0", 3, TestFrames.image(0, 3)));
      producer.flush();

      List<ConsumerRecord<byte[], byte[]>> letters =
          fixture.readCommitted(dlq, poisons.size(), Duration.ofSeconds(90));
      Map<String, DeadLetter> byLabel = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : letters) {
        DeadLetter letter =
            fixture.serdes().deadLetter().deserializer().deserialize(dlq, r.value());
        assertThat(
                byLabel.put(
                    new String(r.key(), StandardCharsets.UTF_8).substring("poison-".length()),
                    letter))
            .as("one dead letter per record")
            .isNull();
      }
      assertThat(byLabel.keySet())
          .containsExactlyInAnyOrderElementsOf(poisons.stream().map(Poison::label).toList());
      for (Poison p : poisons) {
        DeadLetter letter = byLabel.get(p.label());
        assertThat(letter.getReason())
            .as(p.label() + ": " + letter.getMessage())
            .isEqualTo(p.reason());
        assertThat(letter.getMessage()).isNotBlank();
        assertThat(letter.getSourceTopic()).as(p.label()).isEqualTo(p.topic());
        assertThat(letter.getSourcePartition()).isEqualTo(sent.get(p.label()).partition());
        assertThat(letter.getSourceOffset()).isEqualTo(sent.get(p.label()).offset());
        assertThat(toBytes(letter.getKey())).isEqualTo(p.key());
        if (p.value() == null) {
          assertThat(letter.getValue()).isNull();
        } else {
          assertThat(toBytes(letter.getValue())).as(p.label()).isEqualTo(p.value());
        }
      }

      Map<String, DecodedFrame> answers = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r :
          fixture.readCommitted(decoded, 3, Duration.ofSeconds(60))) {
        DecodedFrame d = decodedSerde.deserializer().deserialize(decoded, r.value());
        assertThat(answers.put(d.getRequestId(), d)).as("one answer per request").isNull();
      }
      assertThat(answers.keySet()).containsExactlyInAnyOrder("req-ok", "req-big", "req-poisoned");
      assertThat(answers.get("req-ok").getStatus()).isEqualTo(DecodeStatus.OK);
      DecodedFrame tooBig = answers.get("req-big");
      assertThat(tooBig.getStatus()).isEqualTo(DecodeStatus.FAILED);
      assertThat(tooBig.getPixels()).isNull();
      assertThat(tooBig.getError()).contains("/frames/cam-1/0");
      assertThat(answers.get("req-poisoned").getStatus()).isEqualTo(DecodeStatus.NOT_FOUND);

      List<LatentFrame> encoded = latentFrames(fixture, latent, 5);
      assertThat(encoded)
          .extracting(f -> f.getCameraId() + "/" + f.getSequence())
          .containsExactlyInAnyOrder("cam-0/0", "cam-0/1", "cam-1/0", "cam-0/2", "cam-0/3");

      assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
      assertThat(app.isReady()).isTrue();
      Map<DeadLetterReason, Long> expected =
          poisons.stream().collect(Collectors.groupingBy(Poison::reason, Collectors.counting()));
      for (DeadLetterReason reason : DeadLetterReason.values()) {
        assertThat(app.metrics().deadLetters(reason))
            .as(reason.name())
            .isEqualTo(expected.getOrDefault(reason, 0L));
      }
      LOG.info(
          "PoisonRecordIT: {} poison records handled in {} ms",
          poisons.size(),
          (System.nanoTime() - start) / 1_000_000);
    }
  }

  private static List<Poison> poisons(
      PipelineFixture fixture,
      AvroSerde<DecodeRequest> requestSerde,
      LatentFrame goodFrame,
      String raw,
      String latent,
      String requests) {
    byte[] garbage = "not a schema-registry record".getBytes(StandardCharsets.UTF_8);
    byte[] rawFrame =
        fixture
            .serdes()
            .rawFrame()
            .serializer()
            .serialize(raw, TestFrames.raw("cam-0", 9, TestFrames.image(0, 9)));
    byte[] latentFrame = fixture.serdes().latentFrame().serializer().serialize(latent, goodFrame);
    byte[] request =
        requestSerde
            .serializer()
            .serialize(
                requests, PipelineFixture.decodeRequest("r", "cam-0", 0, DecodeOutputFormat.PNG));
    List<Poison> out = new ArrayList<>();

    out.add(new Poison(raw, "raw-garbage", garbage, DeadLetterReason.UNDECODABLE_PAYLOAD));
    out.add(
        new Poison(
            raw,
            "raw-truncated",
            Arrays.copyOf(rawFrame, rawFrame.length - 1),
            DeadLetterReason.TRUNCATED_PAYLOAD));
    out.add(new Poison(raw, "raw-wrong-schema", request, DeadLetterReason.SCHEMA_MISMATCH));
    var huge = TestFrames.raw("cam-0", 10, TestFrames.image(0, 10));
    huge.setWidth(100_000);
    huge.setHeight(100_000);
    out.add(
        new Poison(
            raw,
            "raw-oversized",
            fixture.serdes().rawFrame().serializer().serialize(raw, huge),
            DeadLetterReason.OVERSIZED_FRAME));

    out.add(new Poison(latent, "latent-garbage", garbage, DeadLetterReason.UNDECODABLE_PAYLOAD));
    out.add(new Poison(latent, "latent-tombstone", null, DeadLetterReason.UNDECODABLE_PAYLOAD));
    out.add(
        new Poison(
            latent,
            "latent-truncated",
            Arrays.copyOf(latentFrame, latentFrame.length - 1),
            DeadLetterReason.TRUNCATED_PAYLOAD));
    out.add(new Poison(latent, "latent-wrong-schema", rawFrame, DeadLetterReason.SCHEMA_MISMATCH));
    out.add(
        new Poison(
            latent,
            "latent-oversized",
            fixture
                .serdes()
                .latentFrame()
                .serializer()
                .serialize(latent, claiming(goodFrame, "cam-9", 4096, 4096)),
            DeadLetterReason.OVERSIZED_FRAME));
    LatentFrame corrupt =
        LatentFrame.newBuilder(goodFrame)
            .setCameraId("cam-9")
            .setSequence(1)
            .setBitstream(ByteBuffer.wrap(Arrays.copyOf(toBytes(goodFrame.getBitstream()), 20)))
            .build();
    out.add(
        new Poison(
            latent,
            "latent-corrupt-bitstream",
            fixture.serdes().latentFrame().serializer().serialize(latent, corrupt),
            DeadLetterReason.MALFORMED_PAYLOAD));

    out.add(new Poison(requests, "request-garbage", garbage, DeadLetterReason.UNDECODABLE_PAYLOAD));
    out.add(new Poison(requests, "request-tombstone", null, DeadLetterReason.UNDECODABLE_PAYLOAD));
    out.add(
        new Poison(
            requests,
            "request-truncated",
            Arrays.copyOf(request, request.length - 1),
            DeadLetterReason.TRUNCATED_PAYLOAD));
    out.add(
        new Poison(
            requests, "request-wrong-schema", latentFrame, DeadLetterReason.SCHEMA_MISMATCH));
    out.add(
        new Poison(
            requests,
            "request-oversized",
            requestSerde
                .serializer()
                .serialize(
                    requests,
                    PipelineFixture.decodeRequest(
                        "x".repeat(20_000), "cam-0", 0, DecodeOutputFormat.PNG)),
            DeadLetterReason.OVERSIZED_FRAME));
    return out;
  }

  /**
   * A KEY frame whose bitstream header claims {@code width x height} but carries the payload of a
   * tiny frame.
   */
  private static LatentFrame claiming(LatentFrame frame, String camera, int width, int height) {
    return LatentFrame.newBuilder(frame)
        .setCameraId(camera)
        .setSequence(0)
        .setOriginalWidth(width)
        .setOriginalHeight(height)
        .setBitstream(
            ByteBuffer.wrap(
                TestBitstreams.claimingSize(toBytes(frame.getBitstream()), width, height, 0)))
        .build();
  }

  private static List<LatentFrame> latentFrames(
      PipelineFixture fixture, String latent, int expected) {
    Function<ConsumerRecord<byte[], byte[]>, LatentFrame> read =
        r -> fixture.serdes().latentFrame().deserializer().deserialize(latent, r.value());
    // records under a "poison-" key are the test's own
    return fixture.readCommitted(latent, expected, Duration.ofSeconds(90)).stream()
        .filter(
            r ->
                r.key() == null
                    || !new String(r.key(), StandardCharsets.UTF_8).startsWith("poison-"))
        .map(read)
        .toList();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] toBytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
