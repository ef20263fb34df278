package io.latentstream.trainer.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.latentstream.schemas.config.CommonSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;

/**
 * The retraining service's HTTP endpoints on the JDK server: {@code GET /health} (always open),
 * {@code POST /retrain} (202 with the new runs, one per model; 409 while runs are in progress),
 * {@code GET /runs} (the run in progress and the last runs: state, progress, evaluation, reason)
 * and {@code GET /metrics} (Prometheus text format). Like the streams app it binds to loopback
 * unless configured otherwise and, when {@code http.auth.token} is set, answers 401 to every
 * request but {@code /health} without {@code Authorization: Bearer <token>} (compared in constant
 * time). It refuses to bind beyond loopback without a token: {@code POST /retrain} starts work that
 * publishes models. It serves no web page, so a request carrying an {@code Origin} header was sent
 * by a browser for some page (another site, or a host name rebound to this address): every such
 * request but {@code /health} gets 403, so no page can start a run through a user's browser.
 *
 * <p>Thread-safe. {@link #start()} once; {@link #close()} stops the server and its pool, not the
 * service.
 */
public final class TrainerHttpServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService pool;
  private final TrainerService service;

  TrainerHttpServer(TrainerServiceConfig config, TrainerService service) throws IOException {
    this.service = service;
    checkExposure(config.getString(TrainerServiceConfig.HTTP_BIND_ADDRESS), config.httpToken());
    server =
        HttpServer.create(
            new InetSocketAddress(
                config.getString(TrainerServiceConfig.HTTP_BIND_ADDRESS),
                config.getInt(TrainerServiceConfig.HTTP_PORT)),
            0);
    server.createContext("/health", ex -> send(ex, 200, "text/plain; charset=utf-8", "ok\n"));
    Optional<Filter> auth =
        Optional.of(config.httpToken()).filter(t -> !t.isEmpty()).map(BearerToken::new);
    mount("/retrain", this::retrain, auth);
    mount("/runs", this::runs, auth);
    mount("/metrics", this::metrics, auth);
    pool =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "trainer-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(pool);
  }

  private void mount(String path, HttpHandler handler, Optional<Filter> auth) {
    HttpContext c = server.createContext(path, handler);
    c.getFilters().add(new NoBrowserOrigin());
    auth.ifPresent(c.getFilters()::add);
  }

  /**
   * Refuses a bind address beyond loopback (a wildcard, a routable address or a name that resolves
   * to one) when no token is set: anyone who reaches the port could start runs.
   *
   * @throws ConfigException naming {@code http.auth.token} and the address
   */
  static void checkExposure(String bindAddress, String token) {
    CommonSettings.requireTokenBeyondLoopback(
        bindAddress, token, "anyone who reaches the port could start retraining runs");
  }

  TrainerHttpServer start() {
    server.start();
    return this;
  }

  /** {@code http://address:port}. */
  public URI baseUri() {
    String host = server.getAddress().getAddress().getHostAddress();
    return URI.create(
        "http://"
            + (host.contains(":") ? "[" + host + "]" : host)
            + ":"
            + server.getAddress().getPort());
  }

  private void retrain(HttpExchange ex) throws IOException {
    if (!ex.getRequestMethod().equals("POST")) {
      ex.getResponseHeaders().set("Allow", "POST");
      send(ex, 405, "text/plain; charset=utf-8", "use POST\n");
      return;
    }
    Optional<List<RunStatus>> queued = service.requestRun("http");
    if (queued.isEmpty()) {
      ObjectNode body = JSON.createObjectNode();
      body.put("error", "a run is in progress");
      service.currentRun().ifPresent(r -> body.put("current", r.id()));
      send(ex, 409, "application/json", JSON.writeValueAsString(body));
      return;
    }
    ObjectNode body = JSON.createObjectNode();
    ArrayNode list = body.putArray("runs");
    queued.get().forEach(r -> list.add(r.toJson(JSON)));
    send(ex, 202, "application/json", JSON.writeValueAsString(body));
  }

  private void runs(HttpExchange ex) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("current", service.currentRun().map(RunStatus::id).orElse(null));
    body.put("reservoirFrames", service.reservoir().size());
    ArrayNode list = body.putArray("runs");
    List<RunStatus> live = service.runs();
    live.forEach(r -> list.add(r.toJson(JSON)));
    // then the runs of earlier processes, from their records on disk
    service.earlierRuns().stream().limit(Math.max(0, 20 - live.size())).forEach(list::add);
    send(
        ex,
        200,
        "application/json",
        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
  }

  private void metrics(HttpExchange ex) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("# HELP latentstream_trainer_runs_total Finished retraining runs by outcome.\n");
    sb.append("# TYPE latentstream_trainer_runs_total counter\n");
    for (RunStatus.State s : RunStatus.State.values()) {
      if (s.finished()) {
        sb.append("latentstream_trainer_runs_total{outcome=\"")
            .append(s.name().toLowerCase(Locale.ROOT))
            .append("\"} ")
            .append(service.outcomeCount(s))
            .append('\n');
      }
    }
    gauge(
        sb,
        "latentstream_trainer_run_in_progress",
        "1 while a run is in progress.",
        service.currentRun().isPresent() ? 1 : 0);
    gauge(
        sb,
        "latentstream_trainer_run_step",
        "Training step of the run in progress (0 when none trains).",
        service.currentRun().map(RunStatus::step).orElse(0L));
    gauge(
        sb,
        "latentstream_trainer_last_run_seconds",
        "Duration of the last finished run.",
        service.lastRunSeconds());
    gauge(
        sb,
        "latentstream_trainer_reservoir_frames",
        "Frames in the reservoir.",
        service.reservoir().size());
    gauge(
        sb,
        "latentstream_trainer_samples_stored",
        "Sampled frames stored since start.",
        service.sampleReader().storedCount());
    gauge(
        sb,
        "latentstream_trainer_samples_skipped",
        "Sampled records skipped (undecodable) since start.",
        service.sampleReader().skippedCount());
    sb.append(
        "# HELP latentstream_trainer_model_versions_deleted_total Model versions deleted from the artifacts"
            + " and releases topics (no retained frame needs them) since start.\n");
    sb.append("# TYPE latentstream_trainer_model_versions_deleted_total counter\n");
    sb.append("latentstream_trainer_model_versions_deleted_total ")
        .append(service.cleanup().deletedCount())
        .append('\n');
    gauge(
        sb,
        "latentstream_trainer_cleanup_failures",
        "Release cleanups that failed since start (retried at the" + " next one).",
        service.cleanup().failureCount());
    sb.append(
        "# HELP latentstream_trainer_samples_skipped_by_reason Sampled records skipped since start, by"
            + " reason.\n");
    sb.append("# TYPE latentstream_trainer_samples_skipped_by_reason gauge\n");
    service
        .sampleReader()
        .skippedByReason()
        .forEach(
            (reason, n) ->
                sb.append("latentstream_trainer_samples_skipped_by_reason{reason=\"")
                    .append(reason)
                    .append("\"} ")
                    .append(n)
                    .append('\n'));
    send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", sb.toString());
  }

  private static void gauge(StringBuilder sb, String name, String help, double value) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" gauge\n");
    sb.append(name)
        .append(' ')
        .append(Double.isNaN(value) ? "NaN" : String.valueOf(value))
        .append('\n');
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    try (ex) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", type);
      ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdown();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * 403 for a request with an {@code Origin} header: a browser sent it for a web page, and we serve
   * none.
   */
  private static final class NoBrowserOrigin extends Filter {
    @Override
    public void doFilter(HttpExchange ex, Chain chain) throws IOException {
      if (ex.getRequestHeaders().containsKey("Origin")) {
        send(ex, 403, "text/plain; charset=utf-8", "requests from web pages are refused\n");
        return;
      }
      chain.doFilter(ex);
    }

    @Override
    public String description() {
      return "no browser origin";
    }
  }

  /** 401 unless {@code Authorization: Bearer <token>}; constant-time comparison. */
  private static final class BearerToken extends Filter {
    private final byte[] expected;

    BearerToken(String token) {
      this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void doFilter(HttpExchange ex, Chain chain) throws IOException {
      String header = ex.getRequestHeaders().getFirst("Authorization");
      if (header != null
          && MessageDigest.isEqual(expected, header.trim().getBytes(StandardCharsets.UTF_8))) {
        chain.doFilter(ex);
        return;
      }
      ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"latentstream\"");
      send(ex, 401, "text/plain; charset=utf-8", "missing or wrong bearer token\n");
    }

    @Override
    public String description() {
      return "bearer token";
    }
  }
}
