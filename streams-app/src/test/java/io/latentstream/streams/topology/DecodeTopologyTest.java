package io.latentstream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.bitstream.LsfFormat;
import io.latentstream.codec.bitstream.LsfHeader;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.schemas.DecodeOutputFormat;
import io.latentstream.schemas.DecodeRequest;
import io.latentstream.schemas.DecodeStatus;
import io.latentstream.schemas.DecodedFrame;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.PixelFormat;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.streams.InMemorySchemaRegistry;
import io.latentstream.streams.TestFrames;
import io.latentstream.streams.model.ModelRegistry;
import io.latentstream.streams.serde.RecordSerdes;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
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
  private static final Duration RETENTION = Duration.ofMinutes(10);
  private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

  private static InMemorySchemaRegistry schemaRegistry;
  private static RecordSerdes serdes;
  private static ModelRegistry models;

  @TempDir
  Path stateDir;
  private TopologyTestDriver driver;
  private TestInputTopic<String, LatentFrame> latent;
  private TestInputTopic<String, DecodeRequest> requests;
  private TestOutputTopic<String, DecodedFrame> decoded;

  @BeforeAll
  static void start() throws Exception {
    schemaRegistry = new InMemorySchemaRegistry();
    serdes = new RecordSerdes(new SchemaRegistryClient(SchemaRegistryConfig.of(schemaRegistry.url())));
    models = new ModelRegistry(FixtureModels.modelsDir(), "default-q2", 2);
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
    DecodeTopology.addTo(builder, new DecodeTopology.Settings(LATENT, REQUESTS, DECODED, RETENTION, 1), serdes,
        models);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "decode-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(builder.build(), props);
    latent = driver.createInputTopic(LATENT, Serdes.String().serializer(), serdes.latentFrame().serializer());
    AvroSerde<DecodeRequest> requestSerde = new AvroSerde<>(serdes.client(), DecodeRequest.class);
    requests = driver.createInputTopic(REQUESTS, Serdes.String().serializer(), requestSerde.serializer());
    decoded = driver.createOutputTopic(DECODED, Serdes.String().deserializer(),
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

    requests.pipeInput("req-1", request("req-1", "cam-1", 4, DecodeOutputFormat.RAW, null), T0.plusSeconds(1));
    requests.pipeInput("req-2", request("req-2", "cam-1", 4, DecodeOutputFormat.PNG, "reply-to-me"),
        T0.plusSeconds(1));

    var raw = decoded.readKeyValue();
    assertThat(raw.key).isEqualTo("req-1");
    PixelImage direct = LearnedCodec.of(q1).decompress(encoded.bitstream());
    assertThat(raw.value.getStatus()).isEqualTo(DecodeStatus.OK);
    assertThat(raw.value.getModelVersion()).isEqualTo(q1.version()).isNotEqualTo(models.currentVersion());
    assertThat(raw.value.getFormat()).isEqualTo(PixelFormat.RGB24);
    assertThat(raw.value.getWidth()).isEqualTo(image.width());
    assertThat(raw.value.getHeight()).isEqualTo(image.height());
    assertThat(bytes(raw.value.getPixels())).isEqualTo(direct.pixels());
    var png = decoded.readKeyValue();
    assertThat(png.key).isEqualTo("reply-to-me");
    assertThat(png.value.getFormat()).isEqualTo(PixelFormat.PNG);
    assertThat(ImageFiles.decode(bytes(png.value.getPixels()), "answer").pixels()).isEqualTo(direct.pixels());
  }

  @Test
  void shouldAnswerNotFoundWhenFrameIsUnknownOrOlderThanTheRetention() {
    latent.pipeInput("cam-2", frame("cam-2", 1, models.compress(TestFrames.image(2, 1))), T0);
    requests.pipeInput("a", request("a", "cam-2", 2, DecodeOutputFormat.PNG, null), T0);
    requests.pipeInput("b", request("b", "cam-9", 1, DecodeOutputFormat.PNG, null), T0);
    requests.pipeInput("c", request("c", "cam-2", 1, DecodeOutputFormat.PNG, null), T0);
    // a later frame moves stream time past the retention of the first one
    latent.pipeInput("cam-2", frame("cam-2", 2, models.compress(TestFrames.image(2, 2))),
        T0.plus(RETENTION).plusSeconds(1));
    requests.pipeInput("d", request("d", "cam-2", 1, DecodeOutputFormat.PNG, null), T0.plus(RETENTION));

    assertThat(decoded.readValuesToList()).extracting(DecodedFrame::getRequestId, DecodedFrame::getStatus)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", DecodeStatus.NOT_FOUND),
            org.assertj.core.groups.Tuple.tuple("b", DecodeStatus.NOT_FOUND),
            org.assertj.core.groups.Tuple.tuple("c", DecodeStatus.OK),
            org.assertj.core.groups.Tuple.tuple("d", DecodeStatus.NOT_FOUND));
  }

  @Test
  void shouldAnswerModelUnavailableOrFailedWhenFrameCannotBeDecoded() {
    EncodedImage good = models.compress(TestFrames.image(3, 1));
    LsfFormat.Parsed parsed = LsfFormat.parse(good.bitstream());
    LsfHeader h = parsed.header();
    LsfHeader unknown = new LsfHeader("default-q2-20200101000000-deadbeef", h.width(), h.height(), h.pixelFormat(),
        h.container(), h.stride(), h.latentHeight(), h.latentWidth(), h.latentChannels());
    byte[] payload = Arrays.copyOfRange(parsed.buffer(), parsed.payloadOffset(),
        parsed.payloadOffset() + parsed.payloadLength());
    byte[] unknownVersion = LsfFormat.writeKey(unknown, parsed.sequence(), payload);
    byte[] corrupt = good.bitstream().clone();
    corrupt[corrupt.length / 2] ^= 0x5a;
    latent.pipeInput("cam-3", frame("cam-3", 1, new EncodedImage(unknownVersion, unknown.modelVersion(), 64, 48)), T0);
    latent.pipeInput("cam-3", frame("cam-3", 2, new EncodedImage(corrupt, good.modelVersion(), 64, 48)), T0);

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

  static DecodeRequest request(String id, String camera, long sequence, DecodeOutputFormat format, String replyKey) {
    return DecodeRequest.newBuilder().setRequestId(id).setCameraId(camera).setSequence(sequence)
        .setOutputFormat(format).setReplyKey(replyKey).setRequestTime(T0).build();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
