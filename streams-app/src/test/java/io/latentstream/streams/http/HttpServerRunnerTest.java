package io.latentstream.streams.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpHandler;
import io.latentstream.schemas.DeadLetterReason;
import io.latentstream.streams.metrics.PipelineMetrics;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Endpoints, bearer-token authentication and TLS of the HTTP server. */
class HttpServerRunnerTest {

  private static final String TOKEN = "s3cret-token";
  private final PipelineMetrics metrics = new PipelineMetrics();
  private final AtomicBoolean ready = new AtomicBoolean();
  private final HttpClient client = HttpClient.newHttpClient();
  private final HttpHandler frames = exchange -> Responses.text(exchange, 200, "frame\n");

  private HttpServerRunner start(
      Optional<String> token, Optional<Path> keystore, Optional<String> password) throws Exception {
    return new HttpServerRunner(
            new HttpServerRunner.Settings("127.0.0.1", 0, token, keystore, password, 2, 2, 0),
            ready::get,
            metrics,
            Map.of("/frames/", frames))
        .start();
  }

  @Test
  void shouldAnswerHealthAndReadyWithinASecondWhileEveryWorkerIsBusy() throws Exception {
    CountDownLatch entered = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    HttpHandler slow =
        exchange -> {
          entered.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          Responses.text(exchange, 200, "slow\n");
        };
    ready.set(true);
    try (HttpServerRunner server =
        new HttpServerRunner(
                new HttpServerRunner.Settings(
                    "127.0.0.1", 0, Optional.empty(), Optional.empty(), Optional.empty(), 2, 2, 0),
                ready::get,
                metrics,
                Map.of("/frames/", slow))
            .start()) {
      URI base = server.baseUri();
      List<CompletableFuture<HttpResponse<String>>> busy = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        busy.add(
            client.sendAsync(
                HttpRequest.newBuilder(base.resolve("/frames/cam/" + i)).build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      // and more decodes than the workers and their queue take: the surplus is refused, not queued
      // without end
      int refused = 0;
      HttpResponse<String> refusal = null;
      for (int i = 0; i < 6 && refusal == null; i++) {
        CompletableFuture<HttpResponse<String>> more =
            client.sendAsync(
                HttpRequest.newBuilder(base.resolve("/frames/cam/more-" + i)).build(),
                HttpResponse.BodyHandlers.ofString());
        try {
          HttpResponse<String> r = more.get(1, TimeUnit.SECONDS);
          if (r.statusCode() == 503) {
            refusal = r;
          }
        } catch (TimeoutException queued) {
          busy.add(more);
        }
      }
      assertThat(refusal).as("a decode beyond the workers and the queue").isNotNull();
      assertThat(refusal.headers().firstValue("Retry-After")).isPresent();
      assertThat(busy).hasSize(4);

      for (String path : new String[] {"/health", "/ready", "/metrics"}) {
        long t0 = System.nanoTime();
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(1)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - t0))
            .as(path)
            .isLessThan(Duration.ofSeconds(1));
      }
      release.countDown();
      for (CompletableFuture<HttpResponse<String>> f : busy) {
        assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void shouldAnswer429ToAGreedyClientWhileAnotherClientIsServedAndProbesStayFast()
      throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HttpHandler decodes =
        exchange -> {
          if (exchange.getRequestURI().getPath().contains("slow")) {
            entered.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          Responses.text(exchange, 200, "frame\n");
        };
    ready.set(true);
    try (HttpServerRunner server =
        new HttpServerRunner(
                new HttpServerRunner.Settings(
                    "127.0.0.1", 0, Optional.empty(), Optional.empty(), Optional.empty(), 2, 4, 1),
                ready::get,
                metrics,
                Map.of("/frames/", decodes))
            .start()) {
      URI base = server.baseUri();
      // the greedy client (127.0.0.1) holds a slow decode...
      CompletableFuture<HttpResponse<String>> held =
          client.sendAsync(
              HttpRequest.newBuilder(base.resolve("/frames/slow/1")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      // ...and asks for more: refused at once, though a worker and the whole queue are free
      HttpResponse<String> greedy =
          client.send(
              HttpRequest.newBuilder(base.resolve("/frames/slow/2"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(greedy.statusCode()).isEqualTo(429);
      assertThat(greedy.headers().firstValue("Retry-After")).hasValue("1");

      // another client (another loopback address) is served meanwhile
      long t0 = System.nanoTime();
      String other = rawGet("127.0.0.2", server.port(), "/frames/cam-2/7");
      assertThat(other).startsWith("HTTP/1.1 200").endsWith("frame\n");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
      for (String path : new String[] {"/health", "/ready"}) {
        long p0 = System.nanoTime();
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(1)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - p0))
            .as(path)
            .isLessThan(Duration.ofSeconds(1));
      }

      release.countDown();
      assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      // its slot is given back once its request is answered
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(
                          client
                              .send(
                                  HttpRequest.newBuilder(base.resolve("/frames/slow/3")).build(),
                                  HttpResponse.BodyHandlers.ofString())
                              .statusCode())
                      .isEqualTo(200));
    }
  }

  /**
   * A GET over a socket bound to the given local address (the JDK client cannot choose one): status
   * line to body.
   */
  private static String rawGet(String localAddress, int port, String path) throws Exception {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.bind(new java.net.InetSocketAddress(localAddress, 0));
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout(5000);
      socket
          .getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void shouldRefuseToStartWhenBoundBeyondLoopbackWithoutAToken() throws Exception {
    org.apache.kafka.common.config.ConfigException refusal =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            () ->
                HttpServerRunner.Settings.from(
                    io.latentstream.streams.config.StreamsAppConfig.of(
                        Map.of("http.bind.address", "0.0.0.0"))),
            ConfigException.class);
    assertThat(refusal).isNotNull();
    assertThat(refusal.getMessage()).contains("http.auth.token", "0.0.0.0");
    assertThatThrownBy(
            () ->
                new HttpServerRunner.Settings(
                    "0.0.0.0", 0, Optional.empty(), Optional.empty(), Optional.empty(), 2, 2, 0))
        .isInstanceOf(ConfigException.class);

    HttpServerRunner.Settings withToken =
        HttpServerRunner.Settings.from(
            io.latentstream.streams.config.StreamsAppConfig.of(
                Map.of("http.bind.address", "0.0.0.0", "http.auth.token", TOKEN)));
    assertThat(withToken.token()).hasValue(TOKEN);
    assertThat(
            HttpServerRunner.Settings.from(
                    io.latentstream.streams.config.StreamsAppConfig.of(Map.of()))
                .bindAddress())
        .isEqualTo("127.0.0.1");
  }

  private static HttpResponse<String> get(HttpClient client, URI base, String path, String token)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldAnswer401WithoutTheTokenAnd200WithItButLeaveTheProbesOpenWhenATokenIsConfigured()
      throws Exception {
    ready.set(true);
    try (HttpServerRunner server = start(Optional.of(TOKEN), Optional.empty(), Optional.empty())) {
      URI base = server.baseUri();
      for (String path : new String[] {"/metrics", "/frames/cam-1/7"}) {
        HttpResponse<String> anonymous = get(client, base, path, null);
        assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
            .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(get(client, base, path, "wrong").statusCode()).as(path).isEqualTo(401);
        assertThat(get(client, base, path, TOKEN).statusCode()).as(path).isEqualTo(200);
      }
      assertThat(get(client, base, "/frames/cam-1/7", TOKEN).body()).isEqualTo("frame\n");
      // probes cannot send a token: liveness and readiness are open (they say nothing about the
      // cameras)
      assertThat(get(client, base, "/health", null).statusCode()).isEqualTo(200);
      assertThat(get(client, base, "/ready", null).statusCode()).isEqualTo(200);
      ready.set(false);
      assertThat(get(client, base, "/ready", null).statusCode()).isEqualTo(503);
    }
  }

  @Test
  void shouldReportReadinessWhenTheServiceBecomesReady() throws Exception {
    try (HttpServerRunner server = start(Optional.empty(), Optional.empty(), Optional.empty())) {
      assertThat(get(client, server.baseUri(), "/ready", null).statusCode()).isEqualTo(503);
      ready.set(true);
      assertThat(get(client, server.baseUri(), "/ready", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void shouldServePrometheusTextWhenMetricsAreScraped() throws Exception {
    metrics.frameIn();
    metrics.encoded(2_000_000, 0.4);
    metrics.deadLetter(DeadLetterReason.CORRUPT_IMAGE);
    metrics.bindModel(() -> "default-q2-20261125000000-abcdef12", () -> 3);
    metrics.bindRejections(() -> Map.of("SHA256_MISMATCH", 2L));
    try (HttpServerRunner server = start(Optional.empty(), Optional.empty(), Optional.empty())) {
      HttpResponse<String> response = get(client, server.baseUri(), "/metrics", null);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      assertThat(response.body())
          .contains("latentstream_frames_in_total 1.0")
          .contains("latentstream_frames_encoded_total 1.0")
          .contains("latentstream_dead_letters_total{reason=\"CORRUPT_IMAGE\"} 1.0")
          .contains("latentstream_dead_letters_total{reason=\"OVERSIZED_FRAME\"} 0.0")
          .contains("latentstream_encode_latency_seconds_bucket{le=\"0.0025\"} 1")
          .contains("latentstream_bits_per_pixel_count 1")
          .contains("latentstream_model_info{version=\"default-q2-20261125000000-abcdef12\"} 1")
          .contains("latentstream_model_swaps_total 3.0")
          .contains("latentstream_model_rejections_total{reason=\"SHA256_MISMATCH\"} 2.0");
    }
  }

  @Test
  void shouldServeHttpsWithAKeytoolMadeKeystoreWhenTlsIsConfigured(@TempDir Path dir)
      throws Exception {
    Path keystore = dir.resolve("server.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                "changeit",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2")
            .redirectErrorStream(true)
            .start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue())
        .as(new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isZero();
    ready.set(true);
    try (HttpServerRunner server =
        start(Optional.of(TOKEN), Optional.of(keystore), Optional.of("changeit"))) {
      assertThat(server.baseUri().getScheme()).isEqualTo("https");
      HttpClient trusting =
          HttpClient.newBuilder().sslContext(trusting(keystore, "changeit")).build();

      assertThat(get(trusting, server.baseUri(), "/ready", TOKEN).statusCode()).isEqualTo(200);
      assertThat(get(trusting, server.baseUri(), "/metrics", null).statusCode()).isEqualTo(401);
      // a client that does not trust the certificate gets no answer at all
      assertThatThrownBy(() -> get(client, server.baseUri(), "/health", null))
          .hasCauseInstanceOf(SSLHandshakeException.class);
    }
  }

  @Test
  void shouldFailAtStartWhenTheKeystorePasswordIsWrong(@TempDir Path dir) throws Exception {
    Path bogus = Files.write(dir.resolve("bogus.p12"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> start(Optional.empty(), Optional.of(bogus), Optional.of("x")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.tls.keystore.location");
  }

  private static SSLContext trusting(Path keystore, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, password.toCharArray());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }
}
