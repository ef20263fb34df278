package io.latentstream.streams.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.platform.LoopbackPorts;
import io.latentstream.streams.PipelineFixture;
import io.latentstream.streams.StreamsApp;
import io.latentstream.streams.TestFrames;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Prometheus (Debian's {@code prometheus} binary, on loopback) scrapes a running streams app
 * the way docker/prometheus/prometheus.yml does, bearer token included, with the project's alerting
 * rules loaded; the test reads the frame counters, the encode and decode latency histograms and the
 * per-camera series back through Prometheus' HTTP query API, and checks that Prometheus loaded
 * every alerting rule without an evaluation error.
 *
 * <p>Skipped with the reason when the binary is missing; fails instead under {@code
 * LATENTSTREAM_REQUIRE_PROMETHEUS=1}.
 */
@RealPlatform
class PrometheusScrapeIT {
  private static final Logger LOG = LoggerFactory.getLogger(PrometheusScrapeIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CAMERAS = 2;
  private static final int SEQUENCES = 5;

  @Test
  void shouldLetARealPrometheusScrapeAndQueryTheFrameCountersAndTheLatencyHistogram(
      TestPlatform platform) throws Exception {
    Path prometheusBinary = PrometheusRulesTest.requireBinary("prometheus");
    long start = System.nanoTime();
    String token = UUID.randomUUID().toString();
    PipelineFixture fixture =
        new PipelineFixture(platform, 2).set(StreamsAppConfig.HTTP_AUTH_TOKEN, token);
    Path dir =
        Files.createTempDirectory(
                Files.createDirectories(Paths.get("target", "tmp")), "prometheus-")
            .toAbsolutePath();
    Process prometheus = null;
    try (StreamsApp app = StreamsApp.start(fixture.config());
        KafkaProducer<byte[], byte[]> producer = fixture.producer()) {
      int appPort = app.http().port();
      int port = LoopbackPorts.findFree();
      Files.writeString(dir.resolve("streams-app.token"), token);
      Files.copy(PrometheusRulesTest.DIR.resolve("alerts.yml"), dir.resolve("alerts.yml"));
      // the shipped job, with the target found statically instead of through Docker's DNS
      Files.writeString(
          dir.resolve("prometheus.yml"),
          String.join(
              "\n",
              "global:",
              "  scrape_interval: 1s",
              "  evaluation_interval: 1s",
              "rule_files: [alerts.yml]",
              "scrape_configs:",
              "  - job_name: latentstream-streams",
              "    static_configs: [{targets: ['127.0.0.1:" + appPort + "']}]",
              "    authorization:",
              "      credentials_file: " + dir.resolve("streams-app.token"),
              ""));
      prometheus =
          new ProcessBuilder(
                  prometheusBinary.toString(),
                  "--config.file=" + dir.resolve("prometheus.yml"),
                  "--storage.tsdb.path=" + dir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port,
                  "--log.level=warn")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("prometheus.log").toFile())
              .start();
      URI api = URI.create("http://127.0.0.1:" + port + "/api/v1/");

      fixture.sendFrames(producer, CAMERAS, SEQUENCES);
      int frames = CAMERAS * SEQUENCES;
      await().atMost(Duration.ofSeconds(90)).until(() -> app.metrics().framesEncoded() >= frames);
      // one decode on demand, for the decode latency histogram
      URI frame =
          URI.create("http://127.0.0.1:" + appPort + "/frames/" + TestFrames.camera(0) + "/1");
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () ->
                  HttpClient.newHttpClient()
                          .send(
                              HttpRequest.newBuilder(frame)
                                  .header("Authorization", "Bearer " + token)
                                  .build(),
                              HttpResponse.BodyHandlers.discarding())
                          .statusCode()
                      == 200);

      // what Prometheus scraped: the target is up (the token was accepted) and the counters reached
      // the totals
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () ->
                  valueOrNaN(api, "latentstream_frames_encoded_total{job=\"latentstream-streams\"}")
                      == frames);
      assertThat(value(api, "up{job=\"latentstream-streams\"}")).isEqualTo(1.0);
      assertThat(value(api, "latentstream_frames_in_total")).isEqualTo(frames);
      assertThat(value(api, "latentstream_encode_latency_seconds_count")).isEqualTo(frames);
      assertThat(value(api, "latentstream_encode_latency_seconds_bucket{le=\"+Inf\"}"))
          .isEqualTo(frames);
      double p99 =
          value(
              api,
              "histogram_quantile(0.99, sum by (le) (latentstream_encode_latency_seconds_bucket))");
      assertThat(p99)
          .as("99th percentile of the encode latency")
          .isPositive()
          .isLessThanOrEqualTo(5.0);
      assertThat(value(api, "sum(latentstream_encode_latency_seconds_sum)")).isPositive();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> valueOrNaN(api, "latentstream_decode_latency_seconds_count") >= 1);
      assertThat(value(api, "latentstream_decode_latency_seconds_bucket{le=\"+Inf\"}"))
          .isGreaterThanOrEqualTo(1);
      assertThat(value(api, "count(latentstream_camera_last_frame_timestamp_seconds)"))
          .isEqualTo(CAMERAS);
      double age = value(api, "time() - min(latentstream_camera_last_frame_timestamp_seconds)");
      assertThat(age).as("seconds since the cameras' last frames").isBetween(-5.0, 120.0);
      assertThat(value(api, "sum(latentstream_dead_letters_total)")).isZero();
      assertThat(value(api, "count(latentstream_raw_consumer_lag_records)"))
          .as("raw partitions with a lag")
          .isBetween(1.0, 2.0);

      // every alerting rule loaded and evaluated without error; with frames flowing and nothing
      // dead-lettered
      // none of them fires
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> rulesEvaluated(api));
      JsonNode groups = get(api.resolve("rules?type=alert")).path("data").path("groups");
      int rules = 0;
      for (JsonNode group : groups) {
        for (JsonNode rule : group.path("rules")) {
          rules++;
          assertThat(rule.path("health").asText())
              .as("health of %s: %s", rule.path("name").asText(), rule.path("lastError").asText())
              .isEqualTo("ok");
          assertThat(rule.path("state").asText())
              .as("state of %s", rule.path("name").asText())
              .isEqualTo("inactive");
        }
      }
      assertThat(rules).isEqualTo(PrometheusRulesTest.alerts().size());
      LOG.info(
          "PrometheusScrapeIT: {} frames scraped and queried, {} rules evaluated, in {} ms",
          frames,
          rules,
          (System.nanoTime() - start) / 1_000_000);
    } finally {
      if (prometheus != null) {
        prometheus.destroy();
        if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
          prometheus.destroyForcibly();
        }
      }
    }
  }

  /** Every rule evaluated at least once. */
  private static boolean rulesEvaluated(URI api) throws IOException, InterruptedException {
    for (JsonNode group : get(api.resolve("rules?type=alert")).path("data").path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        if (rule.path("lastEvaluation").asText().startsWith("0001-")) {
          return false;
        }
      }
    }
    return true;
  }

  /** {@link #value}, NaN while Prometheus does not answer yet. */
  private static double valueOrNaN(URI api, String query) {
    try {
      return value(api, query);
    } catch (IOException | RuntimeException | AssertionError e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
  }

  /** The value of an instant query with a single result; NaN when it has none. */
  private static double value(URI api, String query) throws IOException, InterruptedException {
    JsonNode body =
        get(api.resolve("query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)));
    assertThat(body.path("status").asText()).as("query %s: %s", query, body).isEqualTo("success");
    JsonNode result = body.path("data").path("result");
    if (result.isEmpty()) {
      return Double.NaN;
    }
    assertThat(result).as("series of %s", query).hasSize(1);
    return Double.parseDouble(result.get(0).path("value").get(1).asText());
  }

  private static JsonNode get(URI uri) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }
}
