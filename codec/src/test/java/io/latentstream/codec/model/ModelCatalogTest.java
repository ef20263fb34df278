package io.latentstream.codec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.TestImages;
import io.latentstream.codec.UnknownModelException;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModelCatalogTest {

  @Test
  void shouldResolveFamilyQualityNameVersionAndPath() {
    try (ModelCatalog catalog = new ModelCatalog(FixtureModels.modelsDir(), 2)) {
      Path q1 = FixtureModels.level(1);
      assertThat(catalog.qualityLevels("default")).containsOnlyKeys(1, 2, 3);
      assertThat(catalog.locate("default", 1)).isEqualTo(q1);
      assertThat(catalog.locate("default", null))
          .isEqualTo(FixtureModels.level(2)); // the middle level
      assertThat(catalog.locate("default-q3", null)).isEqualTo(FixtureModels.level(3));
      assertThat(catalog.locate(q1.getFileName().toString(), null)).isEqualTo(q1);
      assertThat(catalog.locate(q1.toString(), null)).isEqualTo(q1);
      assertThatThrownBy(() -> catalog.locate("default", 9))
          .isInstanceOf(UnknownModelException.class)
          .hasMessageContaining("default-q9");
      assertThatThrownBy(() -> catalog.resolve("nope-20260101000000-00000000"))
          .isInstanceOf(UnknownModelException.class);
    }
  }

  @Test
  void shouldDecodeEveryFrameWhenTheCacheThrashesUnderConcurrentDecoding() throws Exception {
    // One slot, three versions, three threads: every resolve evicts a model another thread may be
    // using.
    try (ModelCatalog catalog = new ModelCatalog(FixtureModels.modelsDir(), 1)) {
      java.util.List<byte[]> frames = new java.util.ArrayList<>();
      for (int q = 1; q <= 3; q++) {
        try (CodecModel encoder = CodecModel.load(FixtureModels.level(q))) {
          frames.add(
              LearnedCodec.of(encoder)
                  .compress(TestImages.synthetic(32, 32, PixelFormat.RGB24, q))
                  .bitstream());
        }
      }
      LearnedCodec decoder = new LearnedCodec(null, catalog);
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(3);
      java.util.List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int first = t;
        done.add(
            pool.submit(
                () -> {
                  int decoded = 0;
                  for (int i = 0; i < 12; i++) {
                    PixelImage img = decoder.decompress(frames.get((first + i) % 3));
                    decoded += img.width() == 32 ? 1 : 0;
                  }
                  return decoded;
                }));
      }
      for (java.util.concurrent.Future<Integer> f : done) {
        assertThat(f.get(120, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(12);
      }
      pool.shutdown();
    }
  }

  @Test
  void shouldCloseEvictedModelsWhenMoreThanMaxAreLoaded() {
    try (ModelCatalog catalog = new ModelCatalog(FixtureModels.modelsDir(), 1)) {
      CodecModel first = catalog.load("default", 1);
      CodecModel second = catalog.load("default", 2);
      assertThat(first.isClosed()).isTrue();
      assertThat(second.isClosed()).isFalse();
      assertThat(catalog.resolve(first.version()).isClosed()).isFalse(); // reloaded on demand
    }
  }
}
