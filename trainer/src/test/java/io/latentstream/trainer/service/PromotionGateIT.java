package io.latentstream.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acceptance 3 of the retraining issue: a challenger that is worse than the champion is not
 * promoted, the reason is reported (GET /runs, metrics), and nothing reaches models.releases. The
 * challenger is made worse on purpose, with a corrupted target: every frame the reservoir trains on
 * is random noise (the held-out frames are the cameras' real views), and a high learning rate makes
 * the few steps count.
 */
@RealPlatform
class PromotionGateIT {
  private static final Logger LOG = LoggerFactory.getLogger(PromotionGateIT.class);
  private static final String TOKEN = "gate-secret";

  @Test
  void shouldKeepTheChampionAndReportWhyWhenTheChallengerIsWorse(TestPlatform platform)
      throws Exception {
    long start = System.nanoTime();
    ServiceFixture fixture = new ServiceFixture(platform, "gate");
    Path champion = fixture.champion("gate-q4");
    fixture
        .set(TrainerServiceConfig.TRAIN_LEARNING_RATE, 5e-3)
        .set(TrainerServiceConfig.TRAIN_STEPS, 30)
        .set(TrainerServiceConfig.GATE_MIN_IMPROVEMENT, 0.0)
        .set(TrainerServiceConfig.HTTP_AUTH_TOKEN, TOKEN);
    fixture.sendSamples(2, 24, true);

    try (TrainerService service = TrainerService.start(fixture.config())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> service.reservoir().size() == 48);
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest.Builder retrain =
          HttpRequest.newBuilder(service.http().baseUri().resolve("/retrain"))
              .POST(HttpRequest.BodyPublishers.noBody());
      assertThat(http.send(retrain.build(), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(401);

      HttpResponse<String> accepted =
          http.send(
              retrain.header("Authorization", "Bearer " + TOKEN).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(accepted.statusCode()).isEqualTo(202);
      String runId = new ObjectMapper().readTree(accepted.body()).at("/runs/0/id").asText();
      RunStatus run = service.runs().get(0);
      assertThat(run.id()).isEqualTo(runId);
      await().atMost(Duration.ofSeconds(120)).until(() -> run.state().finished());

      LOG.info("run {}: {} {}", run.id(), run.state(), run.reason());
      assertThat(run.state()).isEqualTo(RunStatus.State.KEPT_CHAMPION);
      assertThat(run.decision().challengerCost())
          .isGreaterThan(run.decision().championCost() * 1.1);
      assertThat(run.reason())
          .contains("not enough improvement")
          .contains(champion.getFileName() + " stays");

      JsonNode runs =
          new ObjectMapper()
              .readTree(
                  http.send(
                          HttpRequest.newBuilder(service.http().baseUri().resolve("/runs"))
                              .header("Authorization", "Bearer " + TOKEN)
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body());
      JsonNode listed = runs.path("runs").get(0);
      assertThat(listed.path("state").asText()).isEqualTo("KEPT_CHAMPION");
      assertThat(listed.path("reason").asText()).contains("not enough improvement");
      assertThat(listed.path("champion").asText()).isEqualTo(champion.getFileName().toString());
      assertThat(listed.at("/evaluation/challenger/cameras").size()).isEqualTo(2);
      assertThat(listed.at("/progress/step").asLong()).isEqualTo(30);
      String metrics =
          http.send(
                  HttpRequest.newBuilder(service.http().baseUri().resolve("/metrics"))
                      .header("Authorization", "Bearer " + TOKEN)
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics).contains("latentstream_trainer_runs_total{outcome=\"kept_champion\"} 1");

      AvroSerde<ModelRelease> serde =
          new AvroSerde<>(
              new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl())),
              ModelRelease.class);
      assertThat(
              new ReleaseHistory(fixture.config(), serde.deserializer(), null).history("gate-q4"))
          .isEmpty();
      try (var models = Files.list(fixture.dir().resolve("models"))) {
        assertThat(models.map(p -> p.getFileName().toString()))
            .containsExactly(champion.getFileName().toString());
      }
    }
    LOG.info("PromotionGateIT took {} ms", (System.nanoTime() - start) / 1_000_000);
  }

  @Test
  void shouldPublishNothingAndReportDivergenceWhenTheLossStopsBeingFinite(TestPlatform platform)
      throws Exception {
    ServiceFixture fixture = new ServiceFixture(platform, "diverge");
    Path champion = fixture.champion("diverge-q4");
    fixture
        .set(TrainerServiceConfig.TRAIN_LEARNING_RATE, 1e12)
        .set(TrainerServiceConfig.TRAIN_STEPS, 20);
    fixture.sendSamples(2, 16);

    try (TrainerService service = TrainerService.start(fixture.config())) {
      await().atMost(Duration.ofSeconds(60)).until(() -> service.reservoir().size() == 32);
      RunStatus run = service.requestRun("test").orElseThrow().get(0);
      await().atMost(Duration.ofSeconds(120)).until(() -> run.state().finished());

      assertThat(run.state()).isEqualTo(RunStatus.State.FAILED);
      assertThat(run.reason()).contains("non-finite");
      assertThat(service.outcomeCount(RunStatus.State.FAILED)).isEqualTo(1);
      AvroSerde<ModelRelease> serde =
          new AvroSerde<>(
              new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl())),
              ModelRelease.class);
      assertThat(
              new ReleaseHistory(fixture.config(), serde.deserializer(), null)
                  .history("diverge-q4"))
          .isEmpty();
      try (var models = Files.list(fixture.dir().resolve("models"))) {
        assertThat(models.map(p -> p.getFileName().toString()))
            .containsExactly(champion.getFileName().toString());
      }
    }
  }
}
