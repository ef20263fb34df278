package io.latentstream.streams.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.UnknownModelException;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.sequence.DeltaOptions;
import io.latentstream.codec.sequence.KeyframePolicy;
import io.latentstream.codec.sequence.SequenceDecoder;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.StubSchemaRegistry;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.streams.TestFrames;
import io.latentstream.streams.metrics.PipelineMetrics;
import io.latentstream.streams.serde.RecordSerdes;
import io.latentstream.streams.topology.EncodeTopology;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** ActiveModels' swap, LRU and ownership rules on codec's fixture packages, without Kafka. */
class ActiveModelsTest {
  private static final Path MODELS = FixtureModels.modelsDir();
  private static final String Q1 = FixtureModels.level(1).getFileName().toString();
  private static final String Q2 = FixtureModels.level(2).getFileName().toString();
  private static final String Q3 = FixtureModels.level(3).getFileName().toString();

  /**
   * One swap: the version made current, and the time just before and just after {@link
   * ActiveModels#swap}.
   */
  private record Swap(String version, long before, long after) {}

  /**
   * The production encode path (the encode topology, on a driver per stream thread, fed {@code
   * registry::codec} as the app does) while another thread hot-swaps models: every frame comes out
   * exactly once, encoded by a model that was current while it was being encoded, decodes through
   * the registry to exactly the picture the encoder measured, and no model is left unclosed.
   */
  @Test
  void shouldEncodeEveryFrameOnceWithACurrentModelWhileModelsAreHotSwapped() throws Exception {
    int frames = 10;
    List<String> cameras = List.of("cam-a", "cam-b");
    List<CodecModel> created = new CopyOnWriteArrayList<>();
    Function<Path, CodecModel> recording =
        dir -> {
          CodecModel m = CodecModel.load(dir);
          created.add(m);
          return m;
        };
    List<Swap> swaps = new CopyOnWriteArrayList<>();
    Map<String, List<LatentFrame>> out = new ConcurrentHashMap<>();
    Map<String, List<long[]>> windows =
        new ConcurrentHashMap<>(); // per camera: [before, after] of each frame
    ExecutorService pool = Executors.newFixedThreadPool(cameras.size() + 1);
    try (StubSchemaRegistry schemas = new StubSchemaRegistry()) {
      RecordSerdes serdes =
          new RecordSerdes(new SchemaRegistryClient(SchemaRegistryConfig.of(schemas.url())));
      ActiveModels activeModels = new ActiveModels(MODELS, "default-q2", 1, recording);
      try {
        long start = System.nanoTime();
        activeModels.loadNewestLocal();
        swaps.add(new Swap(activeModels.currentVersion(), start, System.nanoTime()));
        CountDownLatch encoding = new CountDownLatch(cameras.size());
        CountDownLatch firstFrames =
            new CountDownLatch(cameras.size()); // frames 1-3 before the first swap
        List<Future<?>> work = new ArrayList<>();
        for (String camera : cameras) {
          work.add(
              pool.submit(
                  () -> {
                    try {
                      encodeAll(
                          camera,
                          frames,
                          activeModels,
                          serdes,
                          swaps,
                          out,
                          windows,
                          encoding,
                          firstFrames);
                    } finally {
                      // a thread that failed early must not keep the swapper waiting (the test
                      // fails on it anyway)
                      encoding.countDown();
                      firstFrames.countDown();
                    }
                    return null;
                  }));
        }
        work.add(
            pool.submit(
                () -> {
                  assertThat(encoding.await(60, TimeUnit.SECONDS)).isTrue();
                  assertThat(firstFrames.await(60, TimeUnit.SECONDS)).isTrue();
                  for (int swap = 0; swap < 6; swap++) {
                    CodecModel next = CodecModel.load(FixtureModels.level(swap % 2 == 0 ? 1 : 3));
                    created.add(next);
                    long before = System.nanoTime();
                    activeModels.swap(next);
                    swaps.add(new Swap(next.version(), before, System.nanoTime()));
                    Thread.sleep(20);
                  }
                  return null;
                }));
        List<Throwable> failures = new ArrayList<>();
        for (Future<?> w : work) {
          try {
            w.get(120, TimeUnit.SECONDS);
          } catch (java.util.concurrent.ExecutionException e) {
            failures.add(e.getCause());
          }
        }
        assertThat(failures).as("failures of the driver and swap threads").isEmpty();

        for (String camera : cameras) {
          List<LatentFrame> coded = out.get(camera);
          assertThat(coded)
              .extracting(LatentFrame::getSequence)
              .containsExactlyElementsOf(LongStream.rangeClosed(1, frames).boxed().toList());
          SequenceDecoder decoder = new SequenceDecoder(activeModels);
          for (int i = 0; i < frames; i++) {
            LatentFrame f = coded.get(i);
            long[] w = windows.get(camera).get(i);
            assertThat(currentDuring(swaps, w[0], w[1]))
                .as("versions current while %s/%d was encoded", camera, f.getSequence())
                .contains(f.getModelVersion());
            PixelImage picture = decoder.decode(bytes(f.getBitstream()));
            assertThat(
                    QualityMetrics.psnr(
                        TestFrames.image(camera.length(), f.getSequence()), picture))
                .as("PSNR of %s/%d decoded through ActiveModels", camera, f.getSequence())
                .isCloseTo(f.getPsnr(), Offset.offset(1e-9));
          }
        }
        assertThat(
                out.values().stream()
                    .flatMap(List::stream)
                    .map(LatentFrame::getModelVersion)
                    .distinct())
            .as("versions that encoded frames")
            .hasSizeGreaterThan(1);
      } finally {
        activeModels.close();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(created)
        .hasSizeGreaterThanOrEqualTo(7)
        .allSatisfy(m -> assertThat(m.isClosed()).as(m.version()).isTrue());
  }

  private static void encodeAll(
      String camera,
      int frames,
      ActiveModels activeModels,
      RecordSerdes serdes,
      List<Swap> swaps,
      Map<String, List<LatentFrame>> out,
      Map<String, List<long[]>> windows,
      CountDownLatch encoding,
      CountDownLatch firstFrames)
      throws InterruptedException {
    EncodeTopology.Settings settings =
        new EncodeTopology.Settings(
            "raw",
            "latent",
            "dlq",
            "sample",
            "keyframes",
            1 << 20,
            1 << 20,
            0.0,
            0,
            1.0,
            KeyframePolicy.DEFAULT,
            DeltaOptions.DEFAULT);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "swap-" + camera);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            EncodeTopology.build(settings, serdes, activeModels::codec, new PipelineMetrics()),
            props)) {
      TestInputTopic<byte[], byte[]> raw =
          driver.createInputTopic("raw", new ByteArraySerializer(), new ByteArraySerializer());
      List<long[]> window = new ArrayList<>();
      encoding.countDown();
      for (long seq = 1; seq <= frames; seq++) {
        if (seq == 4) { // the rest while the swaps go on
          firstFrames.countDown();
          assertThat(awaitSwaps(swaps, 2)).isTrue();
        }
        long before = System.nanoTime();
        raw.pipeInput(
            camera.getBytes(StandardCharsets.UTF_8),
            serdes
                .rawFrame()
                .serializer()
                .serialize(
                    "raw", TestFrames.raw(camera, seq, TestFrames.image(camera.length(), seq))));
        window.add(new long[] {before, System.nanoTime()});
      }
      windows.put(camera, window);
      out.put(
          camera,
          driver
              .createOutputTopic(
                  "latent", new ByteArrayDeserializer(), serdes.latentFrame().deserializer())
              .readValuesToList());
      assertThat(
              driver
                  .createOutputTopic(
                      "dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer())
                  .isEmpty())
          .as("dead letters of " + camera)
          .isTrue();
    }
  }

  private static boolean awaitSwaps(List<Swap> swaps, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (swaps.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    return swaps.size() >= count;
  }

  /** Versions that may have been current at some moment between {@code from} and {@code to}. */
  private static Set<String> currentDuring(List<Swap> swaps, long from, long to) {
    Set<String> out = new java.util.HashSet<>();
    for (int i = 0; i < swaps.size(); i++) {
      boolean began = swaps.get(i).before() <= to;
      boolean notYetReplaced = i + 1 == swaps.size() || swaps.get(i + 1).after() >= from;
      if (began && notYetReplaced) {
        out.add(swaps.get(i).version());
      }
    }
    return out;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] b = new byte[buffer.remaining()];
    buffer.duplicate().get(b);
    return b;
  }

  @Test
  void shouldLoadOlderVersionsLazilyAndCloseTheLeastRecentlyUsedWhenTheCacheIsFull() {
    try (ActiveModels activeModels = new ActiveModels(MODELS, "default-q2", 1)) {
      activeModels.loadNewestLocal();
      CodecModel q1 = activeModels.resolve(Q1);
      assertThat(activeModels.resolve(Q1)).isSameAs(q1);
      CodecModel q3 = activeModels.resolve(Q3);

      assertThat(q1.isClosed()).isTrue();
      assertThat(q3.isClosed()).isFalse();
      assertThat(activeModels.loadedVersions()).containsExactly(Q2, Q3);
      CodecModel q1Again = activeModels.resolve(Q1);
      assertThat(q1Again).isNotSameAs(q1);
      assertThat(q1Again.isClosed()).isFalse();
      assertThat(activeModels.resolve(Q2)).isSameAs(activeModels.currentEncoder());
    }
  }

  @Test
  void shouldKeepThePreviousModelForDecodingWhenSwapped() {
    try (ActiveModels activeModels = new ActiveModels(MODELS, "default-q2", 2)) {
      activeModels.loadNewestLocal();
      CodecModel before = activeModels.currentEncoder();
      EncodedImage old = activeModels.compress(TestFrames.image(0, 0));

      activeModels.swap(CodecModel.load(FixtureModels.level(3)));

      assertThat(activeModels.currentVersion()).isEqualTo(Q3);
      assertThat(before.isClosed()).isFalse();
      assertThat(activeModels.resolve(Q2)).isSameAs(before);
      assertThat(activeModels.decompress(old.bitstream()).height()).isEqualTo(48);
      assertThat(activeModels.compress(TestFrames.image(0, 0)).modelVersion()).isEqualTo(Q3);
    }
  }

  @Test
  void shouldFailClearlyWhenAVersionIsUnknownOrNoModelIsLoaded() {
    try (ActiveModels activeModels = new ActiveModels(MODELS, "nothing-q9", 2)) {
      activeModels.loadNewestLocal();

      assertThat(activeModels.hasModel()).isFalse();
      assertThatThrownBy(activeModels::currentEncoder)
          .isInstanceOf(UnknownModelException.class)
          .hasMessageContaining("nothing-q9");
      assertThatThrownBy(() -> activeModels.resolve("default-q2-20200101000000-deadbeef"))
          .isInstanceOf(UnknownModelException.class)
          .hasMessageContaining("deadbeef");
    }
  }

  @Test
  void shouldCloseEveryModelWhenClosed() {
    ActiveModels activeModels = new ActiveModels(MODELS, "default-q2", 2);
    activeModels.loadNewestLocal();
    CodecModel current = activeModels.currentEncoder();
    CodecModel older = activeModels.resolve(Q1);

    activeModels.close();

    assertThat(current.isClosed()).isTrue();
    assertThat(older.isClosed()).isTrue();
    assertThat(activeModels.hasModel()).isFalse();
  }

  @Test
  void shouldLeaveNoModelUnclosedWhenASwapInstallsTheVersionBeingLoadedForDecoding()
      throws Exception {
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    List<CodecModel> loaded = new CopyOnWriteArrayList<>();
    Function<Path, CodecModel> slowLoader =
        dir -> {
          CodecModel m = CodecModel.load(dir);
          loaded.add(m);
          if (m.version()
              .equals(Q1)) { // the decoding thread's load of Q1 takes long enough for a swap to Q1
            loading.countDown();
            try {
              proceed.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return m;
        };
    ExecutorService decoder = Executors.newSingleThreadExecutor();
    List<CodecModel> swappedIn = new ArrayList<>();
    ActiveModels activeModels = new ActiveModels(MODELS, "default-q2", 1, slowLoader);
    try {
      activeModels.loadNewestLocal();
      Future<CodecModel> resolved = decoder.submit(() -> activeModels.resolve(Q1));
      assertThat(loading.await(30, TimeUnit.SECONDS)).isTrue();
      swappedIn.add(CodecModel.load(FixtureModels.level(1)));
      activeModels.swap(
          swappedIn.get(0)); // Q1 becomes the encoder while the decoder still loads its own copy
      proceed.countDown();
      CodecModel forDecoding = resolved.get(60, TimeUnit.SECONDS);
      assertThat(forDecoding.isClosed()).isFalse();
      assertThat(activeModels.resolve(Q1)).isSameAs(forDecoding);
      swappedIn.add(CodecModel.load(FixtureModels.level(3)));
      activeModels.swap(swappedIn.get(1)); // Q1 moves to the older versions
    } finally {
      proceed.countDown();
      decoder.shutdownNow();
      activeModels.close();
    }
    assertThat(loaded).hasSize(2); // Q2 at start, Q1 for decoding
    assertThat(loaded).allSatisfy(m -> assertThat(m.isClosed()).as(m.version()).isTrue());
    assertThat(swappedIn).allSatisfy(m -> assertThat(m.isClosed()).as(m.version()).isTrue());
  }
}
