package io.latentstream.streams.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.UnknownModelException;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.streams.TestFrames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The registry's swap, LRU and ownership rules on codec's fixture packages, without Kafka. */
class ModelRegistryTest {
  private static final Path MODELS = FixtureModels.modelsDir();
  private static final String Q1 = FixtureModels.level(1).getFileName().toString();
  private static final String Q2 = FixtureModels.level(2).getFileName().toString();
  private static final String Q3 = FixtureModels.level(3).getFileName().toString();

  @Test
  void shouldEncodeAndDecodeWithoutErrorsWhileModelsAreSwappedAndEvictedUnderLoad() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    Set<String> versionsSeen = ConcurrentHashMap.newKeySet();
    AtomicInteger frames = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (ModelRegistry registry = new ModelRegistry(MODELS, "default-q2", 1)) {
      registry.loadNewestLocal();
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int thread = t;
        workers.add(pool.submit(() -> {
          for (long seq = 0; !stop.get(); seq++) {
            PixelImage image = TestFrames.image(thread, seq);
            EncodedImage encoded = registry.compress(image);
            versionsSeen.add(encoded.modelVersion());
            // decode with the version that encoded it, even when that model was swapped out (and evicted) meanwhile
            assertThat(registry.decompress(encoded.bitstream()).width()).isEqualTo(image.width());
            frames.incrementAndGet();
          }
          return null;
        }));
      }
      for (int swap = 0; swap < 8; swap++) {
        registry.swap(CodecModel.load(FixtureModels.level(swap % 2 == 0 ? 1 : 3)));
      }
      stop.set(true);
      for (Future<?> w : workers) {
        w.get(60, TimeUnit.SECONDS); // rethrows any failure of a worker
      }
      assertThat(registry.swapCount()).isEqualTo(9);
      assertThat(registry.currentVersion()).isEqualTo(Q3);
      assertThat(versionsSeen).isNotEmpty().isSubsetOf(Q1, Q2, Q3);
      assertThat(frames.get()).isPositive();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldLoadOlderVersionsLazilyAndCloseTheLeastRecentlyUsedWhenTheCacheIsFull() {
    try (ModelRegistry registry = new ModelRegistry(MODELS, "default-q2", 1)) {
      registry.loadNewestLocal();
      CodecModel q1 = registry.resolve(Q1);
      assertThat(registry.resolve(Q1)).isSameAs(q1);
      CodecModel q3 = registry.resolve(Q3);

      assertThat(q1.isClosed()).isTrue();
      assertThat(q3.isClosed()).isFalse();
      assertThat(registry.loadedVersions()).containsExactly(Q2, Q3);
      CodecModel q1Again = registry.resolve(Q1);
      assertThat(q1Again).isNotSameAs(q1);
      assertThat(q1Again.isClosed()).isFalse();
      assertThat(registry.resolve(Q2)).isSameAs(registry.currentEncoder());
    }
  }

  @Test
  void shouldKeepThePreviousModelForDecodingWhenSwapped() {
    try (ModelRegistry registry = new ModelRegistry(MODELS, "default-q2", 2)) {
      registry.loadNewestLocal();
      CodecModel before = registry.currentEncoder();
      EncodedImage old = registry.compress(TestFrames.image(0, 0));

      registry.swap(CodecModel.load(FixtureModels.level(3)));

      assertThat(registry.currentVersion()).isEqualTo(Q3);
      assertThat(before.isClosed()).isFalse();
      assertThat(registry.resolve(Q2)).isSameAs(before);
      assertThat(registry.decompress(old.bitstream()).height()).isEqualTo(48);
      assertThat(registry.compress(TestFrames.image(0, 0)).modelVersion()).isEqualTo(Q3);
    }
  }

  @Test
  void shouldFailClearlyWhenAVersionIsUnknownOrNoModelIsLoaded() {
    try (ModelRegistry registry = new ModelRegistry(MODELS, "nothing-q9", 2)) {
      registry.loadNewestLocal();

      assertThat(registry.hasModel()).isFalse();
      assertThatThrownBy(registry::currentEncoder).isInstanceOf(UnknownModelException.class)
          .hasMessageContaining("nothing-q9");
      assertThatThrownBy(() -> registry.resolve("default-q2-20200101000000-deadbeef"))
          .isInstanceOf(UnknownModelException.class).hasMessageContaining("deadbeef");
    }
  }

  @Test
  void shouldCloseEveryModelWhenClosed() {
    ModelRegistry registry = new ModelRegistry(MODELS, "default-q2", 2);
    registry.loadNewestLocal();
    CodecModel current = registry.currentEncoder();
    CodecModel older = registry.resolve(Q1);

    registry.close();

    assertThat(current.isClosed()).isTrue();
    assertThat(older.isClosed()).isTrue();
    assertThat(registry.hasModel()).isFalse();
  }

  @Test
  void shouldLeaveNoModelUnclosedWhenASwapInstallsTheVersionBeingLoadedForDecoding() throws Exception {
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    List<CodecModel> loaded = new CopyOnWriteArrayList<>();
    Function<Path, CodecModel> slowLoader = dir -> {
      CodecModel m = CodecModel.load(dir);
      loaded.add(m);
      if (m.version().equals(Q1)) { // the decoding thread's load of Q1 takes long enough for a swap to Q1
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
    ModelRegistry registry = new ModelRegistry(MODELS, "default-q2", 1, slowLoader);
    try {
      registry.loadNewestLocal();
      Future<CodecModel> resolved = decoder.submit(() -> registry.resolve(Q1));
      assertThat(loading.await(30, TimeUnit.SECONDS)).isTrue();
      swappedIn.add(CodecModel.load(FixtureModels.level(1)));
      registry.swap(swappedIn.get(0)); // Q1 becomes the encoder while the decoder still loads its own copy
      proceed.countDown();
      CodecModel forDecoding = resolved.get(60, TimeUnit.SECONDS);
      assertThat(forDecoding.isClosed()).isFalse();
      assertThat(registry.resolve(Q1)).isSameAs(forDecoding);
      swappedIn.add(CodecModel.load(FixtureModels.level(3)));
      registry.swap(swappedIn.get(1)); // Q1 moves to the older versions
    } finally {
      proceed.countDown();
      decoder.shutdownNow();
      registry.close();
    }
    assertThat(loaded).hasSize(2); // Q2 at start, Q1 for decoding
    assertThat(loaded).allSatisfy(m -> assertThat(m.isClosed()).as(m.version()).isTrue());
    assertThat(swappedIn).allSatisfy(m -> assertThat(m.isClosed()).as(m.version()).isTrue());
  }
}
