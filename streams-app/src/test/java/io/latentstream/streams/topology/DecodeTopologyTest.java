package io.latentstream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.bitstream.TestBitstreams;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.sequence.DeltaOptions;
import io.latentstream.codec.sequence.KeyframePolicy;
import io.latentstream.codec.sequence.ReferenceState;
import io.latentstream.codec.sequence.SequenceDecoder;
import io.latentstream.codec.sequence.SequenceEncoder;
import io.latentstream.codec.sequence.SequenceFrame;
import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.DeadLetterReason;
import io.latentstream.schemas.DecodeOutputFormat;
import io.latentstream.schemas.DecodeRequest;
import io.latentstream.schemas.DecodeStatus;
import io.latentstream.schemas.DecodedFrame;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.PixelFormat;
import io.latentstream.schemas.StubSchemaRegistry;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.streams.TestFrames;
import io.latentstream.streams.metrics.PipelineMetrics;
import io.latentstream.streams.model.ActiveModels;
import io.latentstream.streams.serde.RecordSerdes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decode mirror's request path and retained store, on {@link TopologyTestDriver}. */
class DecodeTopologyTest {
  private static final String LATENT = "images.latent";
  private static final String REQUESTS = "images.decode.requests";
  private static final String DECODED = "images.decoded";
  private static final String DLQ = "images.dlq";
  private static final long MAX_PIXELS = 100_000;

  /**
   * Room for a 64x48 RGB picture (9216 bytes) or its PNG, not for a 160x120 RGB one (57600 bytes).
   */
  private static final int MAX_ANSWER_BYTES = 20_000;

  private static final Duration RETENTION = Duration.ofMinutes(10);
  private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

  private static StubSchemaRegistry schemaRegistry;
  private static RecordSerdes serdes;
  private static ActiveModels models;

  @TempDir Path stateDir;
  private TopologyTestDriver driver;
  private final PipelineMetrics metrics = new PipelineMetrics();
  private TestInputTopic<String, LatentFrame> latent;
  private TestInputTopic<String, DecodeRequest> requests;
  private TestOutputTopic<String, DecodedFrame> decoded;

  @BeforeAll
  static void start() throws Exception {
    schemaRegistry = new StubSchemaRegistry();
    serdes =
        new RecordSerdes(new SchemaRegistryClient(SchemaRegistryConfig.of(schemaRegistry.url())));
    models = new ActiveModels(FixtureModels.modelsDir(), "default-q2", 2);
    models.loadNewestLocal();
  }

  @AfterAll
  static void stop() {
    models.close();
    schemaRegistry.close();
  }

  @BeforeEach
  void createDriver() {
    StreamsBuilder builder = new StreamsBuilder();
    DecodeTopology.addTo(
        builder,
        new DecodeTopology.Settings(
            LATENT, REQUESTS, DECODED, RETENTION, 1, DLQ, MAX_PIXELS, MAX_ANSWER_BYTES, 1 << 20),
        serdes,
        models,
        metrics);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "decode-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(builder.build(), props);
    latent =
        driver.createInputTopic(
            LATENT, Serdes.String().serializer(), serdes.latentFrame().serializer());
    AvroSerde<DecodeRequest> requestSerde = new AvroSerde<>(serdes.client(), DecodeRequest.class);
    requests =
        driver.createInputTopic(REQUESTS, Serdes.String().serializer(), requestSerde.serializer());
    decoded =
        driver.createOutputTopic(
            DECODED,
            Serdes.String().deserializer(),
            new AvroSerde<>(serdes.client(), DecodedFrame.class).deserializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void shouldDecodeWithTheVersionThatEncodedTheFrameWhenItIsNotTheCurrentModel() throws Exception {
    CodecModel q1 = models.resolve(FixtureModels.level(1).getFileName().toString());
    PixelImage image = TestFrames.image(1, 4);
    EncodedImage encoded = LearnedCodec.of(q1).compress(image);
    latent.pipeInput("cam-1", frame("cam-1", 4, encoded), T0);

    requests.pipeInput(
        "req-1", request("req-1", "cam-1", 4, DecodeOutputFormat.RAW, null), T0.plusSeconds(1));
    requests.pipeInput(
        "req-2",
        request("req-2", "cam-1", 4, DecodeOutputFormat.PNG, "reply-to-me"),
        T0.plusSeconds(1));

    var raw = decoded.readKeyValue();
    assertThat(raw.key).isEqualTo("req-1");
    PixelImage direct = LearnedCodec.of(q1).decompress(encoded.bitstream());
    assertThat(raw.value.getStatus()).isEqualTo(DecodeStatus.OK);
    assertThat(raw.value.getModelVersion())
        .isEqualTo(q1.version())
        .isNotEqualTo(models.currentVersion());
    assertThat(raw.value.getFormat()).isEqualTo(PixelFormat.RGB24);
    assertThat(raw.value.getWidth()).isEqualTo(image.width());
    assertThat(raw.value.getHeight()).isEqualTo(image.height());
    assertThat(bytes(raw.value.getPixels())).isEqualTo(direct.pixels());
    var png = decoded.readKeyValue();
    assertThat(png.key).isEqualTo("reply-to-me");
    assertThat(png.value.getFormat()).isEqualTo(PixelFormat.PNG);
    assertThat(ImageFiles.decode(bytes(png.value.getPixels()), "answer").pixels())
        .isEqualTo(direct.pixels());
  }

  @Test
  void shouldKeepCheckpointsAsTheChainArrivesDecodeFromThemAndDropThemWithTheChain() {
    SequenceEncoder encoder =
        new SequenceEncoder(
            models.resolve(models.currentVersion()),
            new KeyframePolicy(10_000, 0),
            DeltaOptions.DEFAULT);
    SequenceDecoder full = new SequenceDecoder(models);
    int frames = ChainFollower.EVERY + 3;
    byte[][] expected = new byte[frames][];
    for (int i = 0; i < frames; i++) {
      SequenceFrame coded = encoder.encode(TestFrames.image(1, i / 8), 100 + i, -1);
      expected[i] = full.decode(coded.bitstream()).pixels();
      latent.pipeInput("cam-1", ChainFollowerTest.latent(coded), T0.plusMillis(i));
    }
    WindowStore<String, byte[]> checkpoints = driver.getWindowStore(DecodeTopology.CHECKPOINTS);
    long at = 100 + ChainFollower.EVERY;
    ReferenceState kept =
        DecodeTopology.checkpoint(checkpoints, "cam-1", 100, frames + 100).orElseThrow();
    assertThat(kept.keySequence()).isEqualTo(100);
    assertThat(kept.sequence()).isEqualTo(at);

    for (long s : new long[] {at - 1, at, at + 2}) {
      requests.pipeInput(
          "r" + s, request("r" + s, "cam-1", s, DecodeOutputFormat.RAW, null), T0.plusSeconds(1));
      DecodedFrame answer = decoded.readValue();
      assertThat(answer.getStatus()).as("frame %d", s).isEqualTo(DecodeStatus.OK);
      assertThat(bytes(answer.getPixels())).as("frame %d", s).isEqualTo(expected[(int) (s - 100)]);
    }

    // another camera's chain moves stream time past the retention: cam-1's frames and checkpoints
    // expire (the
    // checkpoint store drops old segments when it is next written to, at the other chain's first
    // checkpoint)
    SequenceEncoder other =
        new SequenceEncoder(
            models.resolve(models.currentVersion()),
            new KeyframePolicy(10_000, 0),
            DeltaOptions.DEFAULT);
    for (int i = 0; i <= ChainFollower.EVERY; i++) {
      LatentFrame f = ChainFollowerTest.latent(other.encode(TestFrames.image(2, 0), i, -1));
      latent.pipeInput(
          "cam-2",
          LatentFrame.newBuilder(f).setCameraId("cam-2").build(),
          T0.plus(RETENTION.multipliedBy(3)).plusMillis(i));
    }
    assertThat(DecodeTopology.checkpoint(checkpoints, "cam-2", 0, ChainFollower.EVERY)).isPresent();
    assertThat(DecodeTopology.checkpoint(checkpoints, "cam-1", 100, frames + 100)).isEmpty();
    requests.pipeInput(
        "old", request("old", "cam-1", at, DecodeOutputFormat.RAW, null), T0.plusSeconds(2));
    assertThat(decoded.readValue().getStatus()).isEqualTo(DecodeStatus.NOT_FOUND);
  }

  @Test
  void shouldAnswerNotFoundWhenFrameIsUnknownOrOlderThanTheRetention() {
    latent.pipeInput("cam-2", frame("cam-2", 1, models.compress(TestFrames.image(2, 1))), T0);
    requests.pipeInput("a", request("a", "cam-2", 2, DecodeOutputFormat.PNG, null), T0);
    requests.pipeInput("b", request("b", "cam-9", 1, DecodeOutputFormat.PNG, null), T0);
    requests.pipeInput("c", request("c", "cam-2", 1, DecodeOutputFormat.PNG, null), T0);
    // a later frame moves stream time past the retention of the first one
    latent.pipeInput(
        "cam-2",
        frame("cam-2", 2, models.compress(TestFrames.image(2, 2))),
        T0.plus(RETENTION).plusSeconds(1));
    requests.pipeInput(
        "d", request("d", "cam-2", 1, DecodeOutputFormat.PNG, null), T0.plus(RETENTION));

    assertThat(decoded.readValuesToList())
        .extracting(DecodedFrame::getRequestId, DecodedFrame::getStatus)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", DecodeStatus.NOT_FOUND),
            org.assertj.core.groups.Tuple.tuple("b", DecodeStatus.NOT_FOUND),
            org.assertj.core.groups.Tuple.tuple("c", DecodeStatus.OK),
            org.assertj.core.groups.Tuple.tuple("d", DecodeStatus.NOT_FOUND));
  }

  @Test
  void shouldAnswerModelUnavailableOrFailedWhenFrameCannotBeDecoded() {
    EncodedImage good = models.compress(TestFrames.image(3, 1));
    String unknown = "default-q2-20200101000000-deadbeef";
    byte[] unknownVersion =
        TestBitstreams.withHeader(
            good.bitstream(),
            h -> TestBitstreams.header(h, unknown, h.width(), h.height(), h.latentChannels()));
    // a well-formed bitstream that does not fit its model (one latent channel more)
    byte[] misfit =
        TestBitstreams.withHeader(
            good.bitstream(),
            h ->
                TestBitstreams.header(
                    h, h.modelVersion(), h.width(), h.height(), h.latentChannels() + 1));
    latent.pipeInput(
        "cam-3", frame("cam-3", 1, new EncodedImage(unknownVersion, unknown, 64, 48)), T0);
    latent.pipeInput(
        "cam-3", frame("cam-3", 2, new EncodedImage(misfit, good.modelVersion(), 64, 48)), T0);

    requests.pipeInput("x", request("x", "cam-3", 1, DecodeOutputFormat.RAW, null), T0);
    requests.pipeInput("y", request("y", "cam-3", 2, DecodeOutputFormat.RAW, null), T0);

    DecodedFrame x = decoded.readValue();
    assertThat(x.getStatus()).isEqualTo(DecodeStatus.MODEL_UNAVAILABLE);
    assertThat(x.getError()).contains("default-q2-20200101000000-deadbeef");
    assertThat(x.getPixels()).isNull();
    DecodedFrame y = decoded.readValue();
    assertThat(y.getStatus()).isEqualTo(DecodeStatus.FAILED);
    assertThat(y.getError()).isNotBlank();
  }

  @Test
  void shouldAnswerFailedWithTheRestEndpointWhenTheDecodedFrameIsLargerThanAnAnswerMayBe() {
    PixelImage big = ImageFiles.resize(TestFrames.image(4, 1), 160, 120);
    latent.pipeInput("cam-4", frame("cam-4", 1, models.compress(big)), T0);
    requests.pipeInput("raw", request("raw", "cam-4", 1, DecodeOutputFormat.RAW, null), T0);

    DecodedFrame answer = decoded.readValue();
    assertThat(answer.getStatus()).isEqualTo(DecodeStatus.FAILED);
    assertThat(answer.getPixels()).isNull();
    assertThat(answer.getError())
        .contains(
            "57600 bytes", String.valueOf(MAX_ANSWER_BYTES), "GET /frames/cam-4/1?format=raw");
    assertThat(decoded.isEmpty()).isTrue();
  }

  @Test
  void shouldDeadLetterRecordsThatCannotBeReadOnEitherInputAndGoOn() {
    TestInputTopic<byte[], byte[]> latentBytes =
        driver.createInputTopic(LATENT, new ByteArraySerializer(), new ByteArraySerializer());
    TestInputTopic<byte[], byte[]> requestBytes =
        driver.createInputTopic(REQUESTS, new ByteArraySerializer(), new ByteArraySerializer());
    TestOutputTopic<byte[], DeadLetter> dlq =
        driver.createOutputTopic(
            DLQ, new ByteArrayDeserializer(), serdes.deadLetter().deserializer());
    byte[] garbage = "garbage".getBytes(StandardCharsets.UTF_8);
    EncodedImage good = models.compress(TestFrames.image(5, 1));
    byte[] frame = serdes.latentFrame().serializer().serialize(LATENT, frame("cam-5", 1, good));
    byte[] oversized =
        serdes
            .latentFrame()
            .serializer()
            .serialize(
                LATENT,
                frame(
                    "cam-5",
                    2,
                    new EncodedImage(
                        TestBitstreams.claimingSize(good.bitstream(), 1024, 1024, 2),
                        good.modelVersion(),
                        1024,
                        1024)));

    latentBytes.pipeInput("cam-5".getBytes(StandardCharsets.UTF_8), garbage, T0);
    latentBytes.pipeInput(
        "cam-5".getBytes(StandardCharsets.UTF_8), Arrays.copyOf(frame, frame.length - 1), T0);
    latentBytes.pipeInput("cam-5".getBytes(StandardCharsets.UTF_8), oversized, T0);
    latentBytes.pipeInput("cam-5".getBytes(StandardCharsets.UTF_8), frame, T0);
    requestBytes.pipeInput("r1".getBytes(StandardCharsets.UTF_8), garbage, T0);
    requestBytes.pipeInput("r2".getBytes(StandardCharsets.UTF_8), frame, T0);
    requests.pipeInput("r3", request("r3", "cam-5", 1, DecodeOutputFormat.RAW, null), T0);
    requests.pipeInput("r4", request("r4", "cam-5", 2, DecodeOutputFormat.RAW, null), T0);
    requests.pipeInput(
        "r5", request("r5".repeat(1000), "cam-5", 1, DecodeOutputFormat.RAW, null), T0);

    assertThat(dlq.readValuesToList())
        .extracting(DeadLetter::getSourceTopic, DeadLetter::getReason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(LATENT, DeadLetterReason.UNDECODABLE_PAYLOAD),
            org.assertj.core.groups.Tuple.tuple(LATENT, DeadLetterReason.TRUNCATED_PAYLOAD),
            org.assertj.core.groups.Tuple.tuple(LATENT, DeadLetterReason.OVERSIZED_FRAME),
            org.assertj.core.groups.Tuple.tuple(REQUESTS, DeadLetterReason.UNDECODABLE_PAYLOAD),
            org.assertj.core.groups.Tuple.tuple(REQUESTS, DeadLetterReason.SCHEMA_MISMATCH),
            org.assertj.core.groups.Tuple.tuple(REQUESTS, DeadLetterReason.OVERSIZED_FRAME));
    assertThat(decoded.readValuesToList())
        .extracting(DecodedFrame::getRequestId, DecodedFrame::getStatus)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("r3", DecodeStatus.OK),
            org.assertj.core.groups.Tuple.tuple("r4", DecodeStatus.NOT_FOUND));
    assertThat(metrics.deadLettersTotal()).isEqualTo(6);
  }

  static LatentFrame frame(String camera, long sequence, EncodedImage encoded) {
    return LatentFrame.newBuilder()
        .setCameraId(camera)
        .setSequence(sequence)
        .setCaptureTime(T0)
        .setEncodeTime(T0)
        .setModelName("default-q2")
        .setModelVersion(encoded.modelVersion())
        .setFrameType(FrameType.KEY)
        .setOriginalWidth(encoded.width())
        .setOriginalHeight(encoded.height())
        .setOriginalFormat(PixelFormat.RGB24)
        .setBitstream(ByteBuffer.wrap(encoded.bitstream()))
        .setBpp(encoded.bpp())
        .build();
  }

  static DecodeRequest request(
      String id, String camera, long sequence, DecodeOutputFormat format, String replyKey) {
    return DecodeRequest.newBuilder()
        .setRequestId(id)
        .setCameraId(camera)
        .setSequence(sequence)
        .setOutputFormat(format)
        .setReplyKey(replyKey)
        .setRequestTime(T0)
        .build();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
