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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
}
