package io.latentstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.schemas.registry.SchemaRegistryConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class AvroSerdeConfigTest {

  @Test
  void shouldUseConfluentDefaultsWhenOnlyUrlIsGiven() {
    AvroSerdeConfig config =
        new AvroSerdeConfig(Map.of("schema.registry.url", "http://a:1/apis/ccompat/v7/"));

    assertThat(config.autoRegisterSchemas()).isTrue();
    assertThat(config.useLatestVersion()).isFalse();
    SchemaRegistryConfig registry = config.registryConfig();
    assertThat(registry.urls()).containsExactly(URI.create("http://a:1/apis/ccompat/v7"));
    assertThat(registry.basicAuthUserInfo()).isEmpty();
    assertThat(registry.tls()).isEmpty();
    assertThat(registry.maxAttempts()).isEqualTo(SchemaRegistryConfig.DEFAULT_MAX_ATTEMPTS);
  }

  @Test
  void shouldTakeCredentialsFromUrlAndStripThemWhenSourceIsUrl() {
    SchemaRegistryConfig registry =
        new AvroSerdeConfig(
                Map.of("schema.registry.url", "https://alice:pw@r1:8081/x,https://r2:8081"))
            .registryConfig();

    assertThat(registry.urls())
        .containsExactly(URI.create("https://r1:8081/x"), URI.create("https://r2:8081"));
    assertThat(registry.basicAuthUserInfo()).contains("alice:pw");
  }

  @Test
  void shouldTakeUserInfoWhenSourceIsUserInfo() {
    SchemaRegistryConfig registry =
        new AvroSerdeConfig(
                Map.of(
                    "schema.registry.url", "http://r:8081",
                    "basic.auth.credentials.source", "USER_INFO",
                    "basic.auth.user.info", "bob:secret"))
            .registryConfig();

    assertThat(registry.basicAuthUserInfo()).contains("bob:secret");
  }

  @Test
  void shouldFailFastWhenUserInfoIsMissingOrUrlIsAbsent() {
    assertThatThrownBy(
            () ->
                new AvroSerdeConfig(
                        Map.of(
                            "schema.registry.url",
                            "http://r:8081",
                            "basic.auth.credentials.source",
                            "USER_INFO"))
                    .registryConfig())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("basic.auth.user.info");
    assertThatThrownBy(() -> new AvroSerdeConfig(Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.url");
  }

  @Test
  void shouldBuildTlsRetriesAndTimeoutsWhenKeysAreSet() {
    SchemaRegistryConfig registry =
        new AvroSerdeConfig(
                Map.of(
                    "schema.registry.url", "https://r:8081",
                    "schema.registry.ssl.truststore.location", "/etc/trust.jks",
                    "schema.registry.ssl.truststore.password", "tp",
                    "schema.registry.ssl.truststore.type", "JKS",
                    "max.retries", "5",
                    "retries.wait.ms", "50",
                    "retries.max.wait.ms", "400",
                    "http.read.timeout.ms", "1500"))
            .registryConfig();

    assertThat(registry.tls())
        .hasValueSatisfying(
            tls -> {
              assertThat(tls.truststore())
                  .hasValueSatisfying(
                      store -> {
                        assertThat(store.path()).isEqualTo(Path.of("/etc/trust.jks"));
                        assertThat(store.type()).isEqualTo("JKS");
                        assertThat(store.password()).contains("tp");
                      });
              assertThat(tls.keystore()).isEmpty();
            });
    assertThat(registry.maxAttempts()).isEqualTo(6);
    assertThat(registry.initialBackoff()).isEqualTo(Duration.ofMillis(50));
    assertThat(registry.maxBackoff()).isEqualTo(Duration.ofMillis(400));
    assertThat(registry.requestTimeout()).isEqualTo(Duration.ofMillis(1500));
  }
}
