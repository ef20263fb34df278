package io.latentstream.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may reach the trainer's endpoints: a bind beyond loopback needs a bearer token, and a request
 * a browser sends on behalf of a web page (it carries an {@code Origin}) is refused, so no page can
 * start a run.
 */
class TrainerHttpServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldRefuseToStartWhenBoundBeyondLoopbackWithoutToken(@TempDir Path dir) throws Exception {
    Map<String, Object> c = ServiceFixture.unreachableConfig(dir);
    c.put(TrainerServiceConfig.HTTP_BIND_ADDRESS, "0.0.0.0");

    assertThatThrownBy(() -> TrainerService.start(TrainerServiceConfig.of(c)).close())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(TrainerServiceConfig.HTTP_AUTH_TOKEN)
        .hasMessageContaining("0.0.0.0");
  }

  @Test
  void shouldStartBeyondLoopbackWhenTokenIsSet(@TempDir Path dir) throws Exception {
    Map<String, Object> c = ServiceFixture.unreachableConfig(dir);
    c.put(TrainerServiceConfig.HTTP_BIND_ADDRESS, "0.0.0.0");
    c.put(TrainerServiceConfig.HTTP_AUTH_TOKEN, "s3cret");

    try (TrainerService service = TrainerService.start(TrainerServiceConfig.of(c))) {
      URI base = URI.create("http://127.0.0.1:" + service.http().baseUri().getPort());
      assertThat(send(post(base.resolve("/retrain")).build()).statusCode()).isEqualTo(401);
      assertThat(send(HttpRequest.newBuilder(base.resolve("/health")).build()).statusCode())
          .isEqualTo(200);
      assertThat(service.runs()).isEmpty();
    }
  }

  @Test
  void shouldRefuseRequestsWithAForeignOriginWhenNoTokenIsSet(@TempDir Path dir) throws Exception {
    Map<String, Object> c = ServiceFixture.unreachableConfig(dir);
    try (TrainerService service = TrainerService.start(TrainerServiceConfig.of(c))) {
      URI base = service.http().baseUri();

      HttpResponse<String> retrain =
          send(post(base.resolve("/retrain")).header("Origin", "https://evil.example").build());
      assertThat(retrain.statusCode()).isEqualTo(403);
      assertThat(
              send(HttpRequest.newBuilder(base.resolve("/runs")).header("Origin", "null").build())
                  .statusCode())
          .isEqualTo(403);
      // a page served from the same host name (DNS rebinding) is no better
      assertThat(
              send(post(base.resolve("/retrain")).header("Origin", base.toString()).build())
                  .statusCode())
          .isEqualTo(403);
      assertThat(service.runs()).isEmpty();

      assertThat(
              send(HttpRequest.newBuilder(base.resolve("/health"))
                      .header("Origin", "https://evil.example")
                      .build())
                  .statusCode())
          .isEqualTo(200);
      assertThat(send(post(base.resolve("/retrain")).build()).statusCode()).isEqualTo(202);
      assertThat(service.runs()).hasSize(1);
    }
  }

  @Test
  void shouldRefuseAForeignOriginEvenWithTheToken(@TempDir Path dir) throws Exception {
    Map<String, Object> c = ServiceFixture.unreachableConfig(dir);
    c.put(TrainerServiceConfig.HTTP_AUTH_TOKEN, "s3cret");
    try (TrainerService service = TrainerService.start(TrainerServiceConfig.of(c))) {
      HttpResponse<String> r =
          send(
              post(service.http().baseUri().resolve("/retrain"))
                  .header("Authorization", "Bearer s3cret")
                  .header("Origin", "https://evil.example")
                  .build());
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(service.runs()).isEmpty();
    }
  }

  private static HttpRequest.Builder post(URI uri) {
    return HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody());
  }

  private HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
