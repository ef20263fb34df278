package io.latentstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.sequence.DeltaOptions;
import io.latentstream.codec.sequence.KeyframePolicy;
import io.latentstream.codec.sequence.SequenceDecoder;
import io.latentstream.codec.sequence.SequenceEncoder;
import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.DeadLetterReason;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.RawFrame;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.topology.FrameSampler;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acceptance 1 of the streams app: 4 cameras × 125 frames through the running service on the real
 * broker and registry give exactly 500 latent frames, in camera order, none dead-lettered, each
 * decoding to the PSNR that the codec alone gives for the same frame.
 */
@RealPlatform
class EncodePipelineIT {

  private static final Logger LOG = LoggerFactory.getLogger(EncodePipelineIT.class);
  private static final int CAMERAS = 4;
  private static final int FRAMES = 125;

  @Test
  void shouldEncodeEveryFrameExactlyOnceInCameraOrderWhenFourCamerasSend125FramesEach(
      TestPlatform platform) throws Exception {
    PipelineFixture fixture =
        new PipelineFixture(platform, 4).set(StreamsAppConfig.SAMPLE_RATE, 0.05);
    long start = System.nanoTime();
    try (StreamsApp app = StreamsApp.start(fixture.config());
        KafkaProducer<byte[], byte[]> producer = fixture.producer()) {
      for (int seq = 0; seq < FRAMES; seq++) {
        for (int cam = 0; cam < CAMERAS; cam++) {
          fixture.sendRaw(
              producer, TestFrames.raw(TestFrames.camera(cam), seq, TestFrames.image(cam, seq)));
        }
      }
      producer.flush();

      List<ConsumerRecord<byte[], byte[]>> records =
          fixture.readCommitted(
              fixture.topic(StreamsAppConfig.TOPIC_LATENT),
              CAMERAS * FRAMES,
              Duration.ofSeconds(120));
      LOG.info("500 frames encoded {} ms after start", (System.nanoTime() - start) / 1_000_000);
      List<LatentFrame> frames = fixture.latentFrames(records);
      PipelineFixture.assertEachFrameOnce(frames, CAMERAS * FRAMES);
      Map<String, List<Long>> perCamera = new HashMap<>();
      for (int i = 0; i < records.size(); i++) {
        LatentFrame f = frames.get(i);
        assertThat(new String(records.get(i).key(), StandardCharsets.UTF_8))
            .isEqualTo(f.getCameraId());
        perCamera.computeIfAbsent(f.getCameraId(), c -> new ArrayList<>()).add(f.getSequence());
      }
      assertThat(perCamera).hasSize(CAMERAS);
      perCamera.values().forEach(seqs -> assertThat(seqs).isSorted().hasSize(FRAMES));

      assertThat(fixture.readCommitted(fixture.topic(StreamsAppConfig.TOPIC_DLQ), 0, Duration.ZERO))
          .isEmpty();
      assertThat(app.streams().state().isRunningOrRebalancing()).isTrue();

      try (CodecModel model = CodecModel.load(FixtureModels.level(2))) {
        // what a consumer sees: every frame decodes in topic order (KEY and DELTA frames) ...
        Chains.assertEveryFrameDecodes(frames, LearnedCodec.only(model));
        for (Map.Entry<String, List<LatentFrame>> camera : Chains.byCamera(frames).entrySet()) {
          int cam = Integer.parseInt(camera.getKey().substring("cam-".length()));
          // ... and is byte for byte what the codec makes of the same frames (./latentstream encode
          // --sequence)
          SequenceEncoder own =
              new SequenceEncoder(model, KeyframePolicy.DEFAULT, appDeltaOptions());
          SequenceDecoder decoder = new SequenceDecoder(LearnedCodec.only(model));
          for (LatentFrame f : camera.getValue()) {
            PixelImage original = TestFrames.image(cam, f.getSequence());
            byte[] expected =
                own.encode(original, f.getSequence(), f.getCaptureTime().toEpochMilli())
                    .bitstream();
            assertThat(bytes(f.getBitstream()))
                .as(f.getCameraId() + "/" + f.getSequence())
                .isEqualTo(expected);
            // the fixture model keeps 16x16 block means and Haar details: coarse, but far from
            // noise
            assertThat(QualityMetrics.psnr(original, decoder.decode(expected))).isGreaterThan(10.0);
            assertThat(f.getModelVersion()).isEqualTo(model.version());
            assertThat(f.getBpp()).isEqualTo(f.getBitstream().remaining() * 8.0 / (64 * 48));
          }
        }
      }

      Set<String> expectedSamples = new HashSet<>();
      for (int cam = 0; cam < CAMERAS; cam++) {
        for (int seq = 0; seq < FRAMES; seq++) {
          if (FrameSampler.selected("sample", TestFrames.camera(cam), seq, 0.05)) {
            expectedSamples.add(TestFrames.camera(cam) + "/" + seq);
          }
        }
      }
      String sampleTopic = fixture.topic(StreamsAppConfig.TOPIC_SAMPLE);
      Set<String> samples = new HashSet<>();
      fixture
          .readCommitted(sampleTopic, expectedSamples.size(), Duration.ofSeconds(30))
          .forEach(
              r -> {
                RawFrame f =
                    fixture.serdes().rawFrame().deserializer().deserialize(sampleTopic, r.value());
                samples.add(f.getCameraId() + "/" + f.getSequence());
              });
      assertThat(samples).isNotEmpty().isEqualTo(expectedSamples);
      assertThat(app.metrics().framesEncoded()).isEqualTo(CAMERAS * FRAMES);
    }
    LOG.info("EncodePipelineIT took {} ms", (System.nanoTime() - start) / 1_000_000);
  }

  @Test
  void shouldPassFramesUpToTheConfiguredSizeWhenTopicAndProducerLimitsAreSetTogether(
      TestPlatform platform) throws Exception {
    // 1280x960 RGB is 3.7 MB: above Kafka's 1 MiB defaults, below frame.max.bytes
    PipelineFixture fixture =
        new PipelineFixture(platform, 1)
            .set(StreamsAppConfig.FRAME_MAX_BYTES, 4_500_000)
            .set(StreamsAppConfig.FRAME_MAX_PIXELS, 1280 * 960);
    String raw = fixture.topic(StreamsAppConfig.TOPIC_RAW);
    PixelImage big = ImageFiles.resize(TestFrames.image(0, 0), 1280, 960);
    PixelImage tooMany = ImageFiles.resize(TestFrames.image(0, 1), 1400, 960);
    try (StreamsApp app = StreamsApp.start(fixture.config());
        KafkaProducer<byte[], byte[]> producer = fixture.producer()) {
      byte[] bigRecord =
          fixture
              .serdes()
              .rawFrame()
              .serializer()
              .serialize(raw, TestFrames.raw("cam-big", 0, big));
      byte[] tooManyRecord =
          fixture
              .serdes()
              .rawFrame()
              .serializer()
              .serialize(raw, TestFrames.raw("cam-big", 1, tooMany));
      assertThat(bigRecord.length).isGreaterThan(3_500_000);
      producer
          .send(new ProducerRecord<>(raw, "cam-big".getBytes(StandardCharsets.UTF_8), bigRecord))
          .get();
      producer
          .send(
              new ProducerRecord<>(raw, "cam-big".getBytes(StandardCharsets.UTF_8), tooManyRecord))
          .get();

      String latent = fixture.topic(StreamsAppConfig.TOPIC_LATENT);
      List<ConsumerRecord<byte[], byte[]>> encoded =
          fixture.readCommitted(latent, 1, Duration.ofSeconds(60));
      assertThat(encoded).hasSize(1);
      LatentFrame frame =
          fixture.serdes().latentFrame().deserializer().deserialize(latent, encoded.get(0).value());
      assertThat(frame.getOriginalWidth()).isEqualTo(1280);
      String dlq = fixture.topic(StreamsAppConfig.TOPIC_DLQ);
      List<ConsumerRecord<byte[], byte[]>> letters =
          fixture.readCommitted(dlq, 1, Duration.ofSeconds(60));
      assertThat(letters).hasSize(1);
      DeadLetter letter =
          fixture.serdes().deadLetter().deserializer().deserialize(dlq, letters.get(0).value());
      assertThat(letter.getReason()).isEqualTo(DeadLetterReason.OVERSIZED_FRAME);
      assertThat(bytes(letter.getValue()))
          .isEqualTo(tooManyRecord); // the whole original record, not cut
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }

  /**
   * The DELTA options the app codes with by default (the pipeline's zones, not the codec CLI's).
   */
  private static DeltaOptions appDeltaOptions() {
    StreamsAppConfig defaults = StreamsAppConfig.of(java.util.Map.of());
    return new DeltaOptions(
        defaults.getDouble(StreamsAppConfig.DELTA_DEAD_ZONE),
        defaults.getDouble(StreamsAppConfig.DELTA_SKIP_ZONE));
  }
}
