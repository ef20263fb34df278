package io.latentstream.streams.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.schemas.config.CommonSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamsAppConfigTest {

  @Test
  void shouldDocumentEveryKeyInConfigMdExactlyAsTheCodeDefinesIt() throws Exception {
    String doc = Files.readString(Path.of("CONFIG.md"), StandardCharsets.UTF_8);

    assertThat(doc).contains(StreamsAppConfig.markdownTable());
  }

  @Test
  void shouldUseTheSharedNamesAndDefaultsForTheKeysTheTrainerAlsoReads() {
    StreamsAppConfig config = StreamsAppConfig.of(Map.of());

    assertThat(config.getString(CommonSettings.BOOTSTRAP_SERVERS))
        .isEqualTo(CommonSettings.DEFAULT_BOOTSTRAP_SERVERS);
    assertThat(config.getString(CommonSettings.SCHEMA_REGISTRY_URL))
        .isEqualTo(CommonSettings.DEFAULT_SCHEMA_REGISTRY_URL);
    assertThat(config.getString(CommonSettings.TOPIC_SAMPLE))
        .isEqualTo(CommonSettings.DEFAULT_TOPIC_SAMPLE);
    assertThat(config.getString(CommonSettings.TOPIC_RELEASES))
        .isEqualTo(CommonSettings.DEFAULT_TOPIC_RELEASES);
    assertThat(config.getString(CommonSettings.TOPIC_ARTIFACTS))
        .isEqualTo(CommonSettings.DEFAULT_TOPIC_ARTIFACTS);
    assertThat(config.getString(CommonSettings.HTTP_BIND_ADDRESS))
        .isEqualTo(CommonSettings.DEFAULT_HTTP_BIND_ADDRESS);
  }
}
