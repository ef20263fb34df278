package io.latentstream.streams;

import static io.latentstream.streams.PipelineFixture.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.schemas.DecodeOutputFormat;
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
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-demand decode mirror on two running instances sharing the partitions: every frame encoded
 * by the pipeline decodes over REST through either instance (the one that does not own the camera
 * forwards to the one that does), to exactly the pixels the codec gives for the LatentFrame's
 * bitstream; unknown frames are 404; and the same works by request record on {@code
 * images.decode.requests} → {@code images.decoded}.
 */
@RealPlatform
class DecodeMirrorIT {
  private static final Logger LOG = LoggerFactory.getLogger(DecodeMirrorIT.class);
  private static final int CAMERAS = 4;
  private static final int FRAMES = 5;

  @Test
  void shouldDecodeEveryFrameThroughEitherInstanceWhenQueriedByHttpOrRequestRecord(
      TestPlatform platform) throws Exception {
    long start = System.nanoTime();
    PipelineFixture fixture =
        new PipelineFixture(platform, CAMERAS).set(StreamsAppConfig.SAMPLE_RATE, 0.0);
    StreamsAppConfig first = fixture.config();
    StreamsAppConfig second = fixture.anotherInstance("second");
    HttpClient http = HttpClient.newHttpClient();
    try (StreamsApp a = StreamsApp.start(first);
        StreamsApp b = StreamsApp.start(second);
        KafkaProducer<byte[], byte[]> producer = fixture.producer();
        CodecModel model = CodecModel.load(FixtureModels.level(2))) {
      fixture.sendFrames(producer, CAMERAS, FRAMES);
      List<LatentFrame> frames = fixture.readLatent(CAMERAS * FRAMES, Duration.ofSeconds(120));
      assertThat(frames).hasSize(CAMERAS * FRAMES);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  a.streams().state() == KafkaStreams.State.RUNNING
                      && b.streams().state() == KafkaStreams.State.RUNNING);

      Map<String, byte[]> pictures = Chains.pictures(frames, LearnedCodec.only(model));
      assertThat(pictures).hasSize(frames.size());
      int forwarded = 0;
      for (LatentFrame f : frames) {
        byte[] direct = pictures.get(f.getCameraId() + "/" + f.getSequence());
        for (StreamsApp asked : List.of(a, b)) {
          URI uri =
              asked
                  .http()
                  .baseUri()
                  .resolve("/frames/" + f.getCameraId() + "/" + f.getSequence() + "?format=raw");
          HttpResponse<byte[]> response =
              await()
                  .atMost(Duration.ofSeconds(30))
                  .until(() -> get(http, uri), r -> r.statusCode() == 200);
          assertThat(response.headers().firstValue("X-Image-Width")).hasValue("64");
          assertThat(response.headers().firstValue("X-Image-Height")).hasValue("48");
          assertThat(response.headers().firstValue("X-Pixel-Format")).hasValue("RGB24");
          assertThat(response.headers().firstValue("X-Model-Version"))
              .hasValue(f.getModelVersion());
          assertThat(response.body()).as(uri.toString()).isEqualTo(direct);
          String servedBy = response.headers().firstValue("X-Served-By").orElseThrow();
          forwarded += servedBy.endsWith(":" + asked.http().port()) ? 0 : 1;
        }
      }
      LOG.info("{} of {} HTTP answers came from the other instance", forwarded, 2 * frames.size());
      assertThat(forwarded).as("answers forwarded from the owning instance").isGreaterThan(0);

      LatentFrame some = frames.get(frames.size() - 1);
      HttpResponse<byte[]> png =
          get(
              http,
              b.http()
                  .baseUri()
                  .resolve("/frames/" + some.getCameraId() + "/" + some.getSequence()));
      assertThat(png.statusCode()).isEqualTo(200);
      assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
      assertThat(ImageFiles.decode(png.body(), "png").pixels())
          .isEqualTo(pictures.get(some.getCameraId() + "/" + some.getSequence()));
      for (StreamsApp asked : List.of(a, b)) {
        assertThat(
                get(http, asked.http().baseUri().resolve("/frames/cam-0/" + (FRAMES + 100)))
                    .statusCode())
            .isEqualTo(404);
        assertThat(
                get(http, asked.http().baseUri().resolve("/frames/no-such-camera/1")).statusCode())
            .isEqualTo(404);
        assertThat(get(http, asked.http().baseUri().resolve("/frames/cam-0/first")).statusCode())
            .isEqualTo(400);
      }

      // the same by request record
      Map<String, LatentFrame> asked = new HashMap<>();
      for (int cam = 0; cam < CAMERAS; cam++) {
        LatentFrame f = frames.get(cam);
        asked.put("req-" + cam, f);
        fixture.sendDecodeRequest(
            producer,
            PipelineFixture.decodeRequest(
                "req-" + cam, f.getCameraId(), f.getSequence(), DecodeOutputFormat.RAW));
      }
      fixture.sendDecodeRequest(
          producer,
          PipelineFixture.decodeRequest(
              "req-missing", "cam-1", FRAMES + 100, DecodeOutputFormat.RAW));
      producer.flush();
      String decodedTopic = fixture.topic(StreamsAppConfig.TOPIC_DECODED);
      AvroSerde<DecodedFrame> decodedSerde =
          new AvroSerde<>(fixture.serdes().client(), DecodedFrame.class);
      Map<String, DecodedFrame> answers = new HashMap<>();
      fixture
          .readCommitted(decodedTopic, CAMERAS + 1, Duration.ofSeconds(60))
          .forEach(
              r -> {
                DecodedFrame d = decodedSerde.deserializer().deserialize(decodedTopic, r.value());
                assertThat(answers.put(d.getRequestId(), d)).as("one answer per request").isNull();
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(d.getRequestId());
              });
      assertThat(answers).hasSize(CAMERAS + 1);
      assertThat(answers.get("req-missing").getStatus()).isEqualTo(DecodeStatus.NOT_FOUND);
      asked.forEach(
          (id, f) -> {
            DecodedFrame d = answers.get(id);
            assertThat(d.getStatus()).isEqualTo(DecodeStatus.OK);
            assertThat(d.getFormat()).isEqualTo(PixelFormat.RGB24);
            assertThat(d.getModelVersion()).isEqualTo(f.getModelVersion());
            assertThat(bytes(d.getPixels()))
                .isEqualTo(pictures.get(f.getCameraId() + "/" + f.getSequence()));
          });
    }
    LOG.info("DecodeMirrorIT took {} ms", (System.nanoTime() - start) / 1_000_000);
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
