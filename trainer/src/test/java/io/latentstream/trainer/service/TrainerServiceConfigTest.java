package io.latentstream.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerServiceConfigTest {

  @Test
  void shouldLetTheEnvironmentWinOverTheFileWhenBothSetAKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("trainer.properties");
    Files.writeString(
        file, "train.steps=100\nmodel.names=cams-q1, cams-q2\nsecurity.protocol=SSL\n");

    TrainerServiceConfig c =
        TrainerServiceConfig.load(
            file, Map.of("LATENTSTREAM_TRAIN_STEPS", "7", "KAFKA_SASL_MECHANISM", "PLAIN"));

    assertThat(c.getLong(TrainerServiceConfig.TRAIN_STEPS)).isEqualTo(7);
    assertThat(c.getList(TrainerServiceConfig.MODEL_NAMES)).containsExactly("cams-q1", "cams-q2");
    assertThat(c.getString(TrainerServiceConfig.HTTP_BIND_ADDRESS)).isEqualTo("127.0.0.1");
    assertThat(c.kafkaOverrides())
        .containsEntry("security.protocol", "SSL")
        .containsEntry("sasl.mechanism", "PLAIN");
  }

  @Test
  void shouldFailNamingTheKeyWhenTheCropIsNotAMultipleOf16() {
    assertThatThrownBy(
            () -> TrainerServiceConfig.of(Map.of(TrainerServiceConfig.TRAIN_CROP, "100x64")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(TrainerServiceConfig.TRAIN_CROP);
  }

  @Test
  void shouldFailNamingTheKeyWhenAModelNameIsNotAPackageName() {
    assertThatThrownBy(
            () ->
                TrainerServiceConfig.of(Map.of(TrainerServiceConfig.MODEL_NAMES, "ok-q1,Bad/Name")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(TrainerServiceConfig.MODEL_NAMES);
  }

  @Test
  void shouldRequireASigningKeyWhenUnsignedReleasesAreNotAllowed() {
    assertThatThrownBy(() -> ReleasePublisher.signingKey(TrainerServiceConfig.of(Map.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("keygen");
  }

  @Test
  void shouldListEveryKeyWhenPrintingTheTable() {
    assertThat(TrainerServiceConfig.markdownTable())
        .contains("`" + TrainerServiceConfig.GATE_MIN_IMPROVEMENT + "`")
        .contains("`" + TrainerServiceConfig.RESERVOIR_MAX_AGE_MS + "`");
  }
}
