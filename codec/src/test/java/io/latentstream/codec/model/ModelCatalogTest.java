package io.latentstream.codec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.codec.UnknownModelException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModelCatalogTest {

  @Test
  void shouldResolveFamilyQualityNameVersionAndPath() {
    try (ModelCatalog catalog = new ModelCatalog(FixtureModels.modelsDir(), 2)) {
      Path q1 = FixtureModels.level(1);
      assertThat(catalog.qualityLevels("default")).containsOnlyKeys(1, 2, 3);
      assertThat(catalog.locate("default", 1)).isEqualTo(q1);
      assertThat(catalog.locate("default", null)).isEqualTo(FixtureModels.level(2)); // the middle level
      assertThat(catalog.locate("default-q3", null)).isEqualTo(FixtureModels.level(3));
      assertThat(catalog.locate(q1.getFileName().toString(), null)).isEqualTo(q1);
      assertThat(catalog.locate(q1.toString(), null)).isEqualTo(q1);
      assertThatThrownBy(() -> catalog.locate("default", 9)).isInstanceOf(UnknownModelException.class)
          .hasMessageContaining("default-q9");
      assertThatThrownBy(() -> catalog.resolve("nope-20260101000000-00000000"))
          .isInstanceOf(UnknownModelException.class);
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
