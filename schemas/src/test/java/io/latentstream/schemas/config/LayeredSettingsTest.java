package io.latentstream.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayeredSettingsTest {

  private static final ConfigDef DEF =
      new ConfigDef()
          .define("bootstrap.servers", Type.STRING, "127.0.0.1:9092", Importance.HIGH, "brokers")
          .define("topic.raw", Type.STRING, "images.raw", Importance.LOW, "raw topic")
          .define("http.port", Type.INT, 8080, Importance.LOW, "port");

  @Test
  void shouldLetTheEnvironmentWinOverTheFileForOurKeys(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("app.properties");
    Files.writeString(file, "topic.raw = cams.raw\nhttp.port=9000\nsecurity.protocol=SSL\n");
    LayeredSettings s =
        LayeredSettings.load(DEF, file, Map.of("LATENTSTREAM_HTTP_PORT", "9100", "HOME", "/root"));
    assertThat(s.ours()).containsEntry("topic.raw", "cams.raw").containsEntry("http.port", "9100");
    assertThat(s.kafka()).containsOnly(Map.entry("security.protocol", "SSL"));
  }

  @Test
  void shouldPassKafkaVariablesThroughOverTheFileWhenPrefixedWithKafka(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("app.properties");
    Files.writeString(file, "sasl.mechanism=PLAIN\n");
    LayeredSettings s =
        LayeredSettings.load(
            DEF,
            file,
            Map.of(
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512", "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"));
    assertThat(s.kafka()).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    assertThat(s.ours())
        .as("KAFKA_BOOTSTRAP_SERVERS also sets ours")
        .containsEntry("bootstrap.servers", "kafka:9092");
  }

  @Test
  void shouldKeepOurBootstrapWhenBothPrefixesSetIt() {
    LayeredSettings s =
        LayeredSettings.load(
            DEF,
            null,
            Map.of("KAFKA_BOOTSTRAP_SERVERS", "a:1", "LATENTSTREAM_BOOTSTRAP_SERVERS", "b:2"));
    assertThat(s.ours()).containsEntry("bootstrap.servers", "b:2");
  }

  @Test
  void shouldNameTheFileWhenItDoesNotExist(@TempDir Path dir) {
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> LayeredSettings.load(DEF, missing, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("nope.properties");
  }

  @Test
  void shouldPassUnknownKeysOfAPlainMapThrough() {
    LayeredSettings s = LayeredSettings.of(DEF, Map.of("http.port", 1, "linger.ms", 5));
    assertThat(s.ours()).containsEntry("http.port", "1");
    assertThat(s.kafka()).containsOnly(Map.entry("linger.ms", "5"));
  }
}
