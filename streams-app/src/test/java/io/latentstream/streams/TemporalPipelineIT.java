package io.latentstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.sequence.DeltaOptions;
import io.latentstream.codec.sequence.KeyframePolicy;
import io.latentstream.codec.sequence.SequenceEncoder;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * Key and delta frames end to end: several fixed cameras, thousands of frames through the running
 * service on the real broker and registry. Every committed record decodes with the consumer API, in
 * order, from the first; and every record is byte for byte what the codec's own {@link
 * SequenceEncoder} makes of the same frames with the same policy, so a consumer's pictures are
 * exactly the codec's sequence decode. Counts exact.
 */
@RealPlatform
class TemporalPipelineIT {
  private static final int CAMERAS = 4;
  private static final int FRAMES = 600;
  private static final int INTERVAL = 100;

  /** A fixed camera: one scene, a window of it that moves a little every 25 frames. */
  static io.latentstream.codec.image.PixelImage frame(int camera, long seq) {
    return TestFrames.image(camera, (seq / 25) % 20);
  }

  @Test
  void shouldCodeKeyAndDeltaFramesThatDecodeToTheCodecsOwnSequenceWhenFourCamerasSend600FramesEach(
      TestPlatform platform) throws Exception {
    PipelineFixture fixture =
        new PipelineFixture(platform, 2)
            .set(StreamsAppConfig.SAMPLE_RATE, 0.0)
            .set(StreamsAppConfig.KEYFRAME_INTERVAL_FRAMES, INTERVAL)
            .set(StreamsAppConfig.KEYFRAME_INTERVAL_MS, 0L);
    String latent = fixture.topic(StreamsAppConfig.TOPIC_LATENT);
    try (StreamsApp app = StreamsApp.start(fixture.config());
        KafkaProducer<byte[], byte[]> producer = fixture.producer()) {
      for (int seq = 0; seq < FRAMES; seq++) {
        for (int cam = 0; cam < CAMERAS; cam++) {
          fixture.sendRaw(producer, TestFrames.raw(TestFrames.camera(cam), seq, frame(cam, seq)));
        }
      }
      producer.flush();
      List<LatentFrame> frames =
          fixture.readCommitted(latent, CAMERAS * FRAMES, Duration.ofSeconds(180)).stream()
              .map(
                  r -> fixture.serdes().latentFrame().deserializer().deserialize(latent, r.value()))
              .toList();
      assertThat(frames).hasSize(CAMERAS * FRAMES);
      assertThat(fixture.readCommitted(fixture.topic(StreamsAppConfig.TOPIC_DLQ), 0, Duration.ZERO))
          .isEmpty();

      try (CodecModel model = CodecModel.load(FixtureModels.level(2))) {
        Map<FrameType, Integer> types =
            Chains.assertEveryFrameDecodes(frames, LearnedCodec.only(model));
        assertThat(types)
            .containsEntry(FrameType.KEY, CAMERAS * FRAMES / INTERVAL)
            .containsEntry(FrameType.DELTA, CAMERAS * (FRAMES - FRAMES / INTERVAL));
        long keyBytes = 0;
        long deltaBytes = 0;
        for (Map.Entry<String, List<LatentFrame>> camera : Chains.byCamera(frames).entrySet()) {
          int cam = Integer.parseInt(camera.getKey().substring("cam-".length()));
          SequenceEncoder own =
              new SequenceEncoder(model, new KeyframePolicy(INTERVAL, 0), appDeltaOptions());
          for (LatentFrame f : camera.getValue()) {
            byte[] expected =
                own.encode(frame(cam, f.getSequence()), f.getSequence(), -1).bitstream();
            assertThat(Chains.bytes(f.getBitstream()))
                .as("%s/%d", f.getCameraId(), f.getSequence())
                .isEqualTo(expected);
            if (f.getFrameType() == FrameType.KEY) {
              keyBytes += expected.length;
            } else {
              deltaBytes += expected.length;
            }
          }
        }
        // a fixed camera: the DELTA frames cost a small part of what KEY frames cost
        double perKey = keyBytes / (double) types.get(FrameType.KEY);
        double perDelta = deltaBytes / (double) types.get(FrameType.DELTA);
        assertThat(perDelta).isLessThan(perKey / 5);
      }
      assertThat(app.metrics().latentFrames("KEY")).isEqualTo(CAMERAS * FRAMES / INTERVAL);
      assertThat(app.metrics().keyFrames("INTERVAL_FRAMES"))
          .isEqualTo(CAMERAS * (FRAMES / INTERVAL - 1));
    }
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
