package io.latentstream.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run while Kafka cannot be reached fails, publishes nothing, and says why over REST and in
 * metrics; after a restart the run is still listed.
 */
class TrainerServiceFailureTest {

  @Test
  void shouldFailTheRunAndReportItWhenKafkaIsUnavailable(@TempDir Path dir) throws Exception {
    Map<String, Object> c = ServiceFixture.unreachableConfig(dir);
    c.put(TrainerServiceConfig.RUN_MIN_TRAIN_FRAMES, 1);
    c.put(TrainerServiceConfig.RUN_MIN_HELDOUT_FRAMES, 1);
    Files.createDirectories(dir.resolve("models"));

    try (TrainerService service = TrainerService.start(TrainerServiceConfig.of(c))) {
      for (int seq = 0; seq < 12; seq++) {
        service
            .reservoir()
            .add("cam", seq, System.currentTimeMillis(), FrameReservoirTest.image(64, 64, seq));
      }
      RunStatus run = service.requestRun("test").orElseThrow().get(0);
      await().atMost(Duration.ofSeconds(30)).until(() -> run.state().finished());

      assertThat(run.state()).isEqualTo(RunStatus.State.FAILED);
      assertThat(run.reason()).contains("Kafka unavailable");
      HttpClient http = HttpClient.newHttpClient();
      JsonNode runs =
          new ObjectMapper()
              .readTree(
                  http.send(
                          HttpRequest.newBuilder(service.http().baseUri().resolve("/runs")).build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body());
      assertThat(runs.at("/runs/0/state").asText()).isEqualTo("FAILED");
      assertThat(runs.at("/runs/0/reason").asText()).contains("Kafka unavailable");
      assertThat(
              http.send(
                      HttpRequest.newBuilder(service.http().baseUri().resolve("/metrics")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body())
          .contains("latentstream_trainer_runs_total{outcome=\"failed\"} 1");
      try (var models = Files.list(dir.resolve("models"))) {
        assertThat(models).isEmpty();
      }
    }

    try (TrainerService restarted = TrainerService.start(TrainerServiceConfig.of(c))) {
      JsonNode runs =
          new ObjectMapper()
              .readTree(
                  HttpClient.newHttpClient()
                      .send(
                          HttpRequest.newBuilder(restarted.http().baseUri().resolve("/runs"))
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body());
      assertThat(runs.at("/runs/0/state").asText()).isEqualTo("FAILED");
      assertThat(restarted.reservoir().size()).isEqualTo(12);
    }
  }
}
