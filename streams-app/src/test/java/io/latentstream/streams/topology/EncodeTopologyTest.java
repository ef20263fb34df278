package io.latentstream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.sequence.DeltaOptions;
import io.latentstream.codec.sequence.KeyframePolicy;
import io.latentstream.codec.sequence.SequenceDecoder;
import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.DeadLetterReason;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.PixelFormat;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.StubSchemaRegistry;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.streams.BadFrames;
import io.latentstream.streams.TestFrames;
import io.latentstream.streams.errors.TransientFailureExceptionHandler;
import io.latentstream.streams.metrics.PipelineMetrics;
import io.latentstream.streams.serde.RecordSerdes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The encode path's routing, validation, sampling and failure handling, on {@link
 * TopologyTestDriver}.
 */
class EncodeTopologyTest {

  private static final String RAW = "images.raw";
  private static final String LATENT = "images.latent";
  private static final String DLQ = "images.dlq";
  private static final String SAMPLE = "images.sample";
  private static final String KEYFRAME_REQUESTS = "images.keyframe.requests";

  private static StubSchemaRegistry registry;
  private static RecordSerdes serdes;
  private static CodecModel model;
  private static LearnedCodec codec;

  @BeforeAll
  static void start() throws Exception {
    registry = new StubSchemaRegistry();
    serdes = new RecordSerdes(new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url())));
    model = CodecModel.load(FixtureModels.level(2));
    codec = LearnedCodec.of(model);
  }

  @AfterAll
  static void stop() {
    model.close();
    registry.close();
  }

  private static EncodeTopology.Settings settings(
      long maxPixels, int dlqCap, double sampleRate, int samplesPerMin) {
    return settings(maxPixels, dlqCap, sampleRate, samplesPerMin, 0.0, KeyframePolicy.DEFAULT);
  }

  private static EncodeTopology.Settings settings(
      long maxPixels,
      int dlqCap,
      double sampleRate,
      int samplesPerMin,
      double psnrRate,
      KeyframePolicy policy) {
    return new EncodeTopology.Settings(
        RAW,
        LATENT,
        DLQ,
        SAMPLE,
        KEYFRAME_REQUESTS,
        maxPixels,
        dlqCap,
        sampleRate,
        samplesPerMin,
        psnrRate,
        policy,
        DeltaOptions.DEFAULT);
  }

  private static EncodeTopology.Settings defaults() {
    return settings(10_000, 1 << 20, 0.0, 0);
  }

  /** The driver and its topics. */
  private record Harness(
      TopologyTestDriver driver,
      TestInputTopic<byte[], byte[]> raw,
      TestOutputTopic<byte[], LatentFrame> latent,
      TestOutputTopic<byte[], DeadLetter> dlq,
      TestOutputTopic<byte[], byte[]> sample,
      PipelineMetrics metrics,
      TestInputTopic<byte[], byte[]> requests)
      implements AutoCloseable {

    void requestKeyframe(String camera) {
      requests.pipeInput(camera.getBytes(StandardCharsets.UTF_8), new byte[0]);
    }

    void send(String camera, RawFrame frame) {
      raw.pipeInput(
          camera.getBytes(StandardCharsets.UTF_8),
          serdes.rawFrame().serializer().serialize(RAW, frame));
    }

    @Override
    public void close() {
      driver.close();
    }
  }

  private static Harness harness(
      EncodeTopology.Settings settings, RecordSerdes serdes, Supplier<LearnedCodec> codecs) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "encode-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    PipelineMetrics metrics = new PipelineMetrics();
    TopologyTestDriver driver =
        new TopologyTestDriver(EncodeTopology.build(settings, serdes, codecs, metrics), props);
    ByteArrayDeserializer bytes = new ByteArrayDeserializer();
    return new Harness(
        driver,
        driver.createInputTopic(RAW, new ByteArraySerializer(), new ByteArraySerializer()),
        driver.createOutputTopic(LATENT, bytes, serdes.latentFrame().deserializer()),
        driver.createOutputTopic(DLQ, bytes, serdes.deadLetter().deserializer()),
        driver.createOutputTopic(SAMPLE, bytes, bytes),
        metrics,
        driver.createInputTopic(
            KEYFRAME_REQUESTS, new ByteArraySerializer(), new ByteArraySerializer()));
  }

  @Test
  void shouldEncodeEveryPixelFormatWhenFramesAreValid() {
    PixelImage image = TestFrames.image(1, 3);
    byte[] gray = new byte[image.width() * image.height()];
    try (Harness h = harness(defaults(), serdes, () -> codec)) {
      h.send("cam-1", TestFrames.raw("cam-1", 1, image));
      h.send("cam-1", TestFrames.file("cam-1", 2, PixelFormat.PNG, TestFrames.png(image), 64, 48));
      h.send(
          "cam-1", TestFrames.file("cam-1", 3, PixelFormat.JPEG, TestFrames.jpeg(image), 64, 48));
      h.send(
          "cam-1",
          TestFrames.raw(
              "cam-1",
              4,
              new PixelImage(64, 48, io.latentstream.codec.image.PixelFormat.GRAY8, gray)));

      List<TestRecord<byte[], LatentFrame>> out = h.latent().readRecordsToList();
      assertThat(h.dlq().isEmpty()).isTrue();
      assertThat(out).extracting(r -> r.getValue().getSequence()).containsExactly(1L, 2L, 3L, 4L);
      assertThat(out)
          .extracting(r -> r.getValue().getOriginalFormat())
          .containsExactly(PixelFormat.RGB24, PixelFormat.PNG, PixelFormat.JPEG, PixelFormat.GRAY8);
      LatentFrame first = out.get(0).getValue();
      assertThat(new String(out.get(0).getKey(), StandardCharsets.UTF_8)).isEqualTo("cam-1");
      assertThat(first.getCameraId()).isEqualTo("cam-1");
      assertThat(first.getFrameType()).isEqualTo(FrameType.KEY);
      assertThat(first.getModelVersion()).isEqualTo(model.version());
      assertThat(first.getModelName()).isEqualTo(model.manifest().name());
      assertThat(first.getOriginalWidth()).isEqualTo(64);
      assertThat(first.getOriginalHeight()).isEqualTo(48);
      byte[] bits = bytes(first.getBitstream());
      // the same picture as encoding the frame with the codec directly
      assertThat(codec.decompress(bits).pixels())
          .isEqualTo(codec.decompress(codec.compress(image).bitstream()).pixels());
      assertThat(first.getKeySequence()).isEqualTo(1L);
      assertThat(first.getKeyframeCause()).isEqualTo("START");
      // the container or pixel format changed every frame: every frame started a new chain
      assertThat(out).extracting(r -> r.getValue().getFrameType()).containsOnly(FrameType.KEY);
      assertThat(out)
          .extracting(r -> r.getValue().getKeyframeCause())
          .containsExactly("START", "FORMAT_CHANGE", "FORMAT_CHANGE", "FORMAT_CHANGE");
      assertThat(first.getBpp()).isEqualTo(bits.length * 8.0 / (64 * 48));
      assertThat(first.getPsnr()).isNull();
      assertThat(h.metrics().framesEncoded()).isEqualTo(4);
    }
  }

  @Test
  void shouldDeadLetterEveryBadInputWithReasonCoordinatesAndOriginalBytesWhenInvalid() {
    List<BadFrames.BadInput> bad =
        BadFrames.all(serdes.rawFrame().serializer(), serdes.deadLetter().serializer(), RAW, DLQ);
    try (Harness h = harness(defaults(), serdes, () -> codec)) {
      long offset = 0;
      Map<String, Long> offsets = new HashMap<>();
      for (BadFrames.BadInput input : bad) {
        h.raw().pipeInput(input.key(), input.value());
        offsets.put(input.label(), offset++);
        h.send("cam-good", TestFrames.raw("cam-good", offset, TestFrames.image(2, offset)));
        offset++;
      }

      assertThat(h.latent().readRecordsToList()).hasSize(bad.size());
      List<TestRecord<byte[], DeadLetter>> letters = h.dlq().readRecordsToList();
      assertThat(letters).hasSize(bad.size());
      for (int i = 0; i < bad.size(); i++) {
        BadFrames.BadInput input = bad.get(i);
        DeadLetter letter = letters.get(i).getValue();
        assertThat(letter.getReason())
            .as(input.label() + ": " + letter.getMessage())
            .isEqualTo(input.reason());
        assertThat(letters.get(i).getKey()).isEqualTo(input.key());
        assertThat(bytes(letter.getKey())).isEqualTo(input.key());
        assertThat(letter.getSourceTopic()).isEqualTo(RAW);
        assertThat(letter.getSourcePartition()).isZero();
        assertThat(letter.getSourceOffset())
            .as(input.label())
            .isEqualTo(offsets.get(input.label()));
        assertThat(letter.getMessage()).isNotBlank();
        if (input.value() == null) {
          assertThat(letter.getValue()).isNull();
          assertThat(letter.getOriginalSize()).isEqualTo(-1);
        } else {
          assertThat(bytes(letter.getValue())).as(input.label()).isEqualTo(input.value());
          assertThat(letter.getOriginalSize()).isEqualTo(input.value().length);
        }
      }
      assertThat(h.metrics().deadLetters(DeadLetterReason.CORRUPT_IMAGE))
          .isEqualTo(
              bad.stream().filter(b -> b.reason() == DeadLetterReason.CORRUPT_IMAGE).count());
    }
  }

  @Test
  void shouldCutOriginalBytesToTheCapWhenTheRecordIsLarger() {
    try (Harness h = harness(settings(10_000, 16, 0.0, 0), serdes, () -> codec)) {
      byte[] value = new byte[500];
      value[0] = 9;
      h.raw().pipeInput("cam-1".getBytes(StandardCharsets.UTF_8), value);

      DeadLetter letter = h.dlq().readValue();
      assertThat(letter.getReason()).isEqualTo(DeadLetterReason.UNDECODABLE_PAYLOAD);
      assertThat(bytes(letter.getValue())).hasSize(16).startsWith((byte) 9);
      assertThat(letter.getOriginalSize()).isEqualTo(500);
    }
  }

  @Test
  void shouldCutAHugeKeyInTheDeadLetterAndItsRecordKey() {
    try (Harness h = harness(defaults(), serdes, () -> codec)) {
      byte[] hugeKey = new byte[1 << 20];
      java.util.Arrays.fill(hugeKey, (byte) 'k');
      h.raw().pipeInput(hugeKey, new byte[] {9, 9, 9});

      TestRecord<byte[], DeadLetter> letter = h.dlq().readRecord();
      assertThat(letter.key())
          .hasSize(io.latentstream.streams.errors.DeadLetterFactory.MAX_KEY_BYTES);
      assertThat(bytes(letter.getValue().getKey()))
          .hasSize(io.latentstream.streams.errors.DeadLetterFactory.MAX_KEY_BYTES)
          .containsOnly((byte) 'k');
      assertThat(letter.getValue().getMessage()).contains("key cut from 1048576 to 1024 bytes");
      assertThat(letter.getValue().getReason()).isEqualTo(DeadLetterReason.UNDECODABLE_PAYLOAD);
    }
  }

  @Test
  void shouldSampleAtMostTheCapPerCameraAndMinuteWhenTheRateSelectsEveryFrame() {
    try (Harness h = harness(settings(10_000, 1 << 20, 1.0, 3), serdes, () -> codec)) {
      PixelImage image = TestFrames.image(0, 0);
      for (long seq = 0; seq < 10; seq++) {
        h.send(
            "cam-a", TestFrames.raw("cam-a", seq, image)); // capture times 40 ms apart: one minute
        h.send("cam-b", TestFrames.raw("cam-b", seq, image));
      }
      h.driver()
          .advanceWallClockTime(Duration.ofMinutes(1)); // the cap counts minutes of processing time
      h.send("cam-a", TestFrames.raw("cam-a", 10, image));

      List<RawFrame> sampled =
          h.sample().readValuesToList().stream()
              .map(v -> serdes.rawFrame().deserializer().deserialize(SAMPLE, v))
              .toList();
      assertThat(sampled)
          .extracting(f -> f.getCameraId() + "/" + f.getSequence())
          .containsExactly(
              "cam-a/0", "cam-b/0", "cam-a/1", "cam-b/1", "cam-a/2", "cam-b/2", "cam-a/10");
      assertThat(h.latent().readRecordsToList()).hasSize(21);
    }
  }

  @Test
  void shouldKeepSamplingACameraWhenOneOfItsFramesClaimsACaptureTimeInTheFuture() {
    try (Harness h = harness(settings(10_000, 1 << 20, 1.0, 3), serdes, () -> codec)) {
      PixelImage image = TestFrames.image(0, 0);
      RawFrame future = TestFrames.raw("cam-a", 0, image);
      future.setCaptureTime(java.time.Instant.parse("2100-01-01T00:00:00Z"));
      h.send("cam-a", future);
      for (long seq = 1; seq <= 4; seq++) {
        h.send("cam-a", TestFrames.raw("cam-a", seq, image));
      }
      h.driver().advanceWallClockTime(Duration.ofMinutes(1));
      for (long seq = 5; seq <= 8; seq++) {
        h.send("cam-a", TestFrames.raw("cam-a", seq, image));
      }

      List<Long> sampled =
          h.sample().readValuesToList().stream()
              .map(v -> serdes.rawFrame().deserializer().deserialize(SAMPLE, v).getSequence())
              .toList();
      assertThat(sampled).containsExactly(0L, 1L, 2L, 5L, 6L, 7L);
    }
  }

  @Test
  void shouldStampOutputsWithProcessingTimeNotTheProducersClock() {
    long before = System.currentTimeMillis();
    try (Harness h = harness(settings(10_000, 1 << 20, 1.0, 10), serdes, () -> codec)) {
      long lagging =
          before - Duration.ofDays(30).toMillis(); // a camera whose clock is a month behind
      byte[] key = "cam-old".getBytes(StandardCharsets.UTF_8);
      h.raw()
          .pipeInput(
              key,
              serdes
                  .rawFrame()
                  .serializer()
                  .serialize(RAW, TestFrames.raw("cam-old", 1, TestFrames.image(0, 1))),
              lagging);
      h.raw().pipeInput(key, new byte[] {9, 9, 9}, lagging);
      long after = System.currentTimeMillis();

      assertThat(h.latent().readRecord().timestamp()).isBetween(before, after);
      assertThat(h.sample().readRecord().timestamp()).isBetween(before, after);
      TestRecord<byte[], DeadLetter> letter = h.dlq().readRecord();
      assertThat(letter.timestamp()).isBetween(before, after);
      assertThat(letter.getValue().getSourceTimestamp().toEpochMilli()).isEqualTo(lagging);
    }
  }

  @Test
  void shouldSampleTheSameFramesWhenRunTwice() {
    List<List<Long>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      try (Harness h = harness(settings(10_000, 1 << 20, 0.3, 1000), serdes, () -> codec)) {
        for (long seq = 0; seq < 40; seq++) {
          h.send("cam-a", TestFrames.raw("cam-a", seq, TestFrames.image(0, seq)));
        }
        runs.add(
            h.sample().readValuesToList().stream()
                .map(v -> serdes.rawFrame().deserializer().deserialize(SAMPLE, v).getSequence())
                .toList());
      }
    }
    assertThat(runs.get(0)).hasSizeBetween(4, 24).isEqualTo(runs.get(1));
  }

  @Test
  void shouldEncodeWithTheCurrentModelWhenASwapClosedTheOneInHand() {
    CodecModel closed = CodecModel.load(FixtureModels.level(1));
    closed.close();
    AtomicInteger calls = new AtomicInteger();
    Supplier<LearnedCodec> swapping =
        () -> calls.getAndIncrement() == 0 ? LearnedCodec.of(closed) : codec;
    try (Harness h = harness(defaults(), serdes, swapping)) {
      h.send("cam-1", TestFrames.raw("cam-1", 1, TestFrames.image(1, 1)));

      assertThat(h.dlq().isEmpty()).isTrue();
      assertThat(h.latent().readValue().getModelVersion()).isEqualTo(model.version());
    }
  }

  @Test
  void shouldMeasurePsnrWhenTheFrameIsSelectedForIt() {
    EncodeTopology.Settings all = settings(10_000, 1024, 0, 0, 1.0, KeyframePolicy.DEFAULT);
    PixelImage image = TestFrames.image(3, 5);
    try (Harness h = harness(all, serdes, () -> codec)) {
      h.send("cam-1", TestFrames.raw("cam-1", 1, image));

      double expected =
          io.latentstream.codec.metrics.QualityMetrics.psnr(
              image, codec.decompress(codec.compress(image).bitstream()));
      assertThat(h.latent().readValue().getPsnr())
          .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9));
    }
  }

  @Test
  void shouldFailTheTaskInsteadOfDeadLetteringWhenTheRegistryIsUnreachable() {
    SchemaRegistryClient unreachable =
        new SchemaRegistryClient(
            SchemaRegistryConfig.of("http://127.0.0.1:1")
                .withRetries(1, Duration.ZERO, Duration.ZERO));
    try (Harness h = harness(defaults(), new RecordSerdes(unreachable), () -> codec)) {
      byte[] value =
          serdes
              .rawFrame()
              .serializer()
              .serialize(RAW, TestFrames.raw("cam-1", 1, TestFrames.image(1, 1)));

      assertThatThrownBy(() -> h.raw().pipeInput("cam-1".getBytes(StandardCharsets.UTF_8), value))
          .satisfies(e -> assertThat(TransientFailureExceptionHandler.isTransient(e)).isTrue());
      assertThat(h.dlq().isEmpty()).isTrue();
      assertThat(h.latent().isEmpty()).isTrue();
    }
  }

  @Test
  void shouldCountAFrameOnceWhenItIsProcessedAgainAfterItsTransactionWasAborted() {
    AtomicInteger calls = new AtomicInteger();
    Supplier<LearnedCodec> failingOnce =
        () -> {
          if (calls.getAndIncrement() == 0) {
            throw new org.apache.kafka.common.errors.TimeoutException(
                "registry unreachable"); // fails the task
          }
          return codec;
        };
    try (Harness h = harness(settings(10_000, 1 << 20, 1.0, 10), serdes, failingOnce)) {
      byte[] key = "cam-1".getBytes(StandardCharsets.UTF_8);
      byte[] good =
          serdes
              .rawFrame()
              .serializer()
              .serialize(RAW, TestFrames.raw("cam-1", 1, TestFrames.image(1, 1)));

      // the task fails on the frame, after having copied it to the sample topic: the transaction is
      // aborted
      assertThatThrownBy(() -> h.raw().pipeInput(key, good));
      assertThat(h.metrics().framesIn()).isZero();
      // processed again, as after the abort: counted once, with everything it did
      h.raw().pipeInput(key, good);
      h.raw().pipeInput(key, new byte[] {9, 9, 9});

      assertThat(h.metrics().framesIn()).isEqualTo(2);
      assertThat(h.metrics().framesEncoded()).isEqualTo(1);
      assertThat(h.metrics().deadLetters(DeadLetterReason.UNDECODABLE_PAYLOAD)).isEqualTo(1);
      assertThat(h.metrics().latentFrames("KEY")).isEqualTo(1);
      assertThat(h.latent().readRecordsToList()).hasSize(1);
    }
  }

  @Test
  void shouldCodeDeltaFramesThatTheCodecsSequenceDecoderDecodesToTheEncodersPictures() {
    EncodeTopology.Settings psnr = settings(10_000, 1 << 20, 0, 0, 1.0, new KeyframePolicy(6, 0));
    try (Harness h = harness(psnr, serdes, () -> codec)) {
      for (long seq = 10; seq < 22; seq++) {
        h.send("cam-1", TestFrames.raw("cam-1", seq, TestFrames.image(1, seq / 4)));
        h.send("cam-2", TestFrames.raw("cam-2", seq, TestFrames.image(2, 0)));
      }
      List<LatentFrame> out = h.latent().readValuesToList();
      assertThat(out).hasSize(24);
      List<LatentFrame> cam1 = out.stream().filter(f -> f.getCameraId().equals("cam-1")).toList();
      assertThat(cam1)
          .extracting(LatentFrame::getFrameType)
          .containsExactly(
              FrameType.KEY,
              FrameType.DELTA,
              FrameType.DELTA,
              FrameType.DELTA,
              FrameType.DELTA,
              FrameType.DELTA,
              FrameType.KEY,
              FrameType.DELTA,
              FrameType.DELTA,
              FrameType.DELTA,
              FrameType.DELTA,
              FrameType.DELTA);
      assertThat(cam1.get(6).getKeyframeCause()).isEqualTo("INTERVAL_FRAMES");
      assertThat(cam1.get(3).getKeySequence()).isEqualTo(10L);
      assertThat(cam1.get(3).getReferenceSequence()).isEqualTo(12L);
      for (String camera : List.of("cam-1", "cam-2")) {
        SequenceDecoder decoder = new SequenceDecoder(LearnedCodec.only(model));
        for (LatentFrame f : out.stream().filter(f -> f.getCameraId().equals(camera)).toList()) {
          PixelImage picture = decoder.decode(bytes(f.getBitstream()));
          PixelImage original =
              TestFrames.image(
                  camera.equals("cam-1") ? 1 : 2, camera.equals("cam-1") ? f.getSequence() / 4 : 0);
          // the encoder measured its PSNR on its own reconstruction: the consumer's picture is the
          // same
          assertThat(io.latentstream.codec.metrics.QualityMetrics.psnr(original, picture))
              .isCloseTo(f.getPsnr(), org.assertj.core.data.Offset.offset(1e-9));
        }
      }
      long keyBytes =
          out.stream()
              .filter(f -> f.getCameraId().equals("cam-2") && f.getFrameType() == FrameType.KEY)
              .mapToLong(f -> f.getBitstream().remaining())
              .sum();
      long deltaBytes =
          out.stream()
              .filter(f -> f.getCameraId().equals("cam-2") && f.getFrameType() == FrameType.DELTA)
              .mapToLong(f -> f.getBitstream().remaining())
              .max()
              .orElseThrow();
      assertThat(deltaBytes).as("a static camera's DELTA").isLessThan(keyBytes / 10);
      assertThat(h.metrics().latentFrames("DELTA")).isEqualTo(20);
      assertThat(h.metrics().keyFrames("INTERVAL_FRAMES")).isEqualTo(2);
    }
  }

  @Test
  void shouldDeadLetterARepeatedSequenceAndStartAKeyFrameAfterAGapAReorderingOrARequest() {
    try (Harness h = harness(defaults(), serdes, () -> codec)) {
      for (long seq : new long[] {1, 2, 2, 5, 4, 5, 6}) {
        if (seq == 6) {
          h.requestKeyframe("cam-1");
        }
        h.send("cam-1", TestFrames.raw("cam-1", seq, TestFrames.image(1, 1)));
      }
      List<LatentFrame> out = h.latent().readValuesToList();
      assertThat(out).extracting(LatentFrame::getSequence).containsExactly(1L, 2L, 5L, 4L, 5L, 6L);
      assertThat(out)
          .extracting(LatentFrame::getKeyframeCause)
          .containsExactly("START", null, "SEQUENCE_GAP", "SEQUENCE_GAP", null, "REQUEST");
      List<DeadLetter> letters = h.dlq().readValuesToList();
      assertThat(letters).hasSize(1);
      assertThat(letters.get(0).getReason()).isEqualTo(DeadLetterReason.DUPLICATE_FRAME);
      assertThat(letters.get(0).getMessage()).contains("sequence 2 repeats");
    }
  }

  @Test
  void shouldStartANewChainWithAKeyFrameOfTheNewModelAfterASwap() throws Exception {
    try (CodecModel other = CodecModel.load(FixtureModels.level(1))) {
      java.util.concurrent.atomic.AtomicReference<LearnedCodec> current =
          new java.util.concurrent.atomic.AtomicReference<>(codec);
      try (Harness h = harness(defaults(), serdes, current::get)) {
        h.send("cam-1", TestFrames.raw("cam-1", 1, TestFrames.image(1, 1)));
        h.send("cam-1", TestFrames.raw("cam-1", 2, TestFrames.image(1, 1)));
        current.set(LearnedCodec.of(other));
        h.send("cam-1", TestFrames.raw("cam-1", 3, TestFrames.image(1, 1)));
        h.send("cam-1", TestFrames.raw("cam-1", 4, TestFrames.image(1, 1)));
        List<LatentFrame> out = h.latent().readValuesToList();
        assertThat(out)
            .extracting(LatentFrame::getFrameType)
            .containsExactly(FrameType.KEY, FrameType.DELTA, FrameType.KEY, FrameType.DELTA);
        assertThat(out.get(2).getKeyframeCause()).isEqualTo("MODEL_CHANGE");
        assertThat(out.get(2).getModelVersion()).isEqualTo(other.version());
        assertThat(out.get(3).getModelVersion()).isEqualTo(other.version());
      }
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
