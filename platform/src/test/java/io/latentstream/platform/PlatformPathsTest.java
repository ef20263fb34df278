package io.latentstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlatformPathsTest {

  @TempDir Path home;

  @Test
  void shouldFindBuildOutputUnderHomeWhenOnlyEnvironmentIsSet() throws Exception {
    Path lib = Files.createDirectories(home.resolve("platform/target/kafka-lib"));
    Files.createFile(lib.resolve("kafka_2.13-4.3.1.jar"));
    Files.createFile(lib.resolve("kafka-clients-4.3.1.jar"));
    Path apicurio = Files.createDirectories(home.resolve("platform/target/apicurio"));
    Files.createFile(apicurio.resolve(PlatformPaths.APICURIO_RUNNER));

    PlatformPaths paths =
        PlatformPaths.resolve(
            Map.of("user.dir", "/nowhere"), Map.of(PlatformPaths.HOME_ENV, home.toString()));

    assertThat(paths.home()).isEqualTo(home.toAbsolutePath());
    assertThat(paths.kafkaJars())
        .extracting(p -> p.getFileName().toString())
        .containsExactly("kafka-clients-4.3.1.jar", "kafka_2.13-4.3.1.jar");
    assertThat(paths.apicurioRunnerJar())
        .isEqualTo(apicurio.resolve(PlatformPaths.APICURIO_RUNNER));
  }

  @Test
  void shouldPreferExplicitDirectoryWhenSystemPropertyIsSet() throws Exception {
    Path lib = Files.createDirectories(home.resolve("elsewhere"));
    Files.createFile(lib.resolve("kafka_2.13-4.3.1.jar"));

    PlatformPaths paths =
        PlatformPaths.resolve(
            Map.of(PlatformPaths.KAFKA_LIB_PROPERTY, lib.toString(), "user.dir", "/nowhere"),
            Map.of());

    assertThat(paths.kafkaJars()).containsExactly(lib.resolve("kafka_2.13-4.3.1.jar"));
  }

  @Test
  void shouldTellUserToBuildWhenDirectoriesAreMissing() {
    PlatformPaths paths =
        PlatformPaths.resolve(Map.of(PlatformPaths.HOME_PROPERTY, home.toString()), Map.of());

    assertThatThrownBy(paths::kafkaJars)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(home.resolve("platform/target/kafka-lib").toString())
        .hasMessageContaining("mvn -q -DskipTests package");
    assertThatThrownBy(paths::apicurioRunnerJar)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Apicurio Registry not found")
        .hasMessageContaining("mvn -q -DskipTests package");
  }
}
