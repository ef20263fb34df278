package io.latentstream.streams.http;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.latentstream.schemas.config.CommonSettings;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.metrics.PipelineMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTP endpoints on the JDK server: {@code /health} (liveness, always open), {@code
 * /ready} (200 when the streams client runs and a model is loaded, else 503; always open too, as
 * probes cannot send a token), {@code /metrics} (Prometheus text format) and the extra contexts
 * handed in (the decode mirror's {@code /frames/}, {@code /models}, the live page).
 *
 * <p>Decoded frames are camera images, so the server binds to the configured address (loopback by
 * default), serves HTTPS when a PKCS12 keystore is configured, and, when a token is configured,
 * answers 401 to every request but {@code /health}, {@code /ready} and the live page's static files
 * that lacks {@code Authorization: Bearer <token>}.
 *
 * <p>Two pools: {@code /health}, {@code /ready}, {@code /metrics} and the public static files run
 * on the server's own small pool, which also hands every other request (frame decodes and forwards,
 * the APIs) to a bounded worker pool: {@link Settings#threads()} workers and a queue of {@link
 * Settings#queue()}; a request beyond both is answered 503 with {@code Retry-After} at once. One
 * client (remote address) may have at most {@link Settings#perClient()} of these requests in
 * progress or waiting; more are answered 429 with {@code Retry-After} at once, so a greedy client
 * cannot take every worker and queue place from the others. So however many decodes clients ask
 * for, and however long they take, the orchestrator's probes are answered promptly and the waiting
 * work stays bounded.
 *
 * <p>Without a token the server refuses (at {@link Settings} construction) to bind beyond loopback.
 * Thread-safe. {@link #start()} once; {@link #close()} stops the server and its pool (not the
 * handlers' owners).
 */
public final class HttpServerRunner implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HttpServerRunner.class);

  /**
   * @param token bearer token, empty for none
   * @param keystore PKCS12 keystore enabling HTTPS, empty for plain HTTP
   * @param threads workers for the mounted handlers (decodes, forwards, APIs)
   * @param queue requests that may wait for a worker; more are refused with 503
   * @param perClient requests one client (remote address) may have in progress or waiting; more are
   *     refused with 429; 0 for no per-client limit
   * @throws ConfigException when the address is beyond loopback and no token is set
   */
  public record Settings(
      String bindAddress,
      int port,
      Optional<String> token,
      Optional<Path> keystore,
      Optional<String> keystorePassword,
      int threads,
      int queue,
      int perClient) {

    public Settings {
      Objects.requireNonNull(bindAddress, "bindAddress");
      token = token.filter(t -> !t.isEmpty());
      keystore = Objects.requireNonNull(keystore);
      keystorePassword = Objects.requireNonNull(keystorePassword);
      if (threads < 1 || queue < 0 || perClient < 0) {
        throw new IllegalArgumentException(
            "threads must be positive, queue and perClient not negative");
      }
      CommonSettings.requireTokenBeyondLoopback(
          bindAddress,
          token.orElse(""),
          "anyone who reaches the port could fetch decoded camera images, the live page's data and the metrics");
    }

    public static Settings from(StreamsAppConfig config) {
      String keystore = config.getString(StreamsAppConfig.HTTP_TLS_KEYSTORE);
      int threads = config.getInt(StreamsAppConfig.HTTP_REQUEST_THREADS);
      return new Settings(
          config.getString(StreamsAppConfig.HTTP_BIND_ADDRESS),
          config.getInt(StreamsAppConfig.HTTP_PORT),
          password(config, StreamsAppConfig.HTTP_AUTH_TOKEN),
          keystore.isBlank() ? Optional.empty() : Optional.of(Path.of(keystore)),
          password(config, StreamsAppConfig.HTTP_TLS_KEYSTORE_PASSWORD),
          threads > 0
              ? threads
              : Math.max(2, config.getInt(StreamsAppConfig.NUM_STREAM_THREADS) + 1),
          config.getInt(StreamsAppConfig.HTTP_REQUEST_QUEUE),
          config.getInt(StreamsAppConfig.HTTP_REQUEST_PER_CLIENT));
    }

    private static Optional<String> password(StreamsAppConfig config, String key) {
      Password p = config.getPassword(key);
      return p == null || p.value().isEmpty() ? Optional.empty() : Optional.of(p.value());
    }
  }

  private final Settings settings;

  /**
   * Threads of the server's own pool: probes, metrics, static files and handing requests to the
   * workers.
   */
  private static final int CONTROL_THREADS = 2;

  private final HttpServer server;
  private final ExecutorService pool;
  private final ThreadPoolExecutor workers;

  /**
   * Requests in progress or waiting per client address, while the per-client limit is on; no zero
   * entries.
   */
  private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();

  private volatile boolean started;

  /**
   * Binds the port (so a port conflict fails here, at start).
   *
   * @param ready whether the service is ready for traffic
   * @param extraContexts more handlers by context path, behind the same authentication
   * @throws ConfigException when the keystore cannot be read
   * @throws IOException when the address cannot be bound
   */
  public HttpServerRunner(
      Settings settings,
      BooleanSupplier ready,
      PipelineMetrics metrics,
      Map<String, HttpHandler> extraContexts)
      throws IOException {
    this.settings = settings;
    InetSocketAddress address = new InetSocketAddress(settings.bindAddress(), settings.port());
    if (settings.keystore().isPresent()) {
      HttpsServer https = HttpsServer.create(address, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(sslContext(settings)));
      server = https;
    } else {
      server = HttpServer.create(address, 0);
    }
    server.createContext("/health", exchange -> Responses.text(exchange, 200, "ok\n"));
    // open like /health: probes cannot send a token, and the answer says nothing about the cameras
    server.createContext(
        "/ready",
        exchange -> {
          boolean ok = ready.getAsBoolean();
          Responses.text(exchange, ok ? 200 : 503, ok ? "ready\n" : "not ready\n");
        });
    guard(server.createContext("/metrics", exchange -> serveMetrics(exchange, metrics)));
    extraContexts.forEach(this::mount);
    pool = Executors.newFixedThreadPool(CONTROL_THREADS, daemonThreads("http-"));
    workers =
        new ThreadPoolExecutor(
            settings.threads(),
            settings.threads(),
            0,
            TimeUnit.MILLISECONDS,
            settings.queue() == 0
                ? new SynchronousQueue<>()
                : new ArrayBlockingQueue<>(settings.queue()),
            daemonThreads("http-worker-"),
            new ThreadPoolExecutor.AbortPolicy());
    server.setExecutor(pool);
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger threadNumber = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + threadNumber.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Adds a handler behind the same authentication, run by the bounded workers, before or after
   * {@link #start()} (handlers that need the bound port, such as interactive-query routing, are
   * created after the server binds).
   */
  public void mount(String path, HttpHandler handler) {
    guard(server.createContext(path, exchange -> handOver(exchange, handler)));
  }

  private void guard(HttpContext context) {
    settings.token().ifPresent(token -> context.getFilters().add(new BearerTokenFilter(token)));
  }

  /**
   * Runs the handler on a worker; answers 429 at once when the client already has its share of
   * requests in progress or waiting, and 503 when every worker is busy and the queue full (both
   * with {@code Retry-After}).
   */
  private void handOver(HttpExchange exchange, HttpHandler handler) throws IOException {
    InetAddress client = exchange.getRemoteAddress().getAddress();
    if (!admit(client)) {
      exchange.getResponseHeaders().set("Retry-After", "1");
      Responses.text(
          exchange,
          429,
          "too many requests from "
              + client.getHostAddress()
              + ": "
              + settings.perClient()
              + " in progress or waiting; try again\n");
      return;
    }
    try {
      workers.execute(
          () -> {
            try (exchange) {
              handler.handle(exchange);
            } catch (IOException | RuntimeException e) {
              // the client went away, or the handler failed before answering: closing drops the
              // connection
              LOG.debug(
                  "{} {} failed: {}",
                  exchange.getRequestMethod(),
                  exchange.getRequestURI(),
                  e.toString());
            } finally {
              release(client);
            }
          });
    } catch (RejectedExecutionException e) {
      release(client);
      exchange.getResponseHeaders().set("Retry-After", "1");
      Responses.text(
          exchange,
          503,
          "busy: "
              + settings.threads()
              + " requests in progress and "
              + settings.queue()
              + " waiting; try again\n");
    }
  }

  /** Counts the client's request unless it already has {@link Settings#perClient()} of them. */
  private boolean admit(InetAddress client) {
    if (settings.perClient() == 0) {
      return true;
    }
    boolean[] admitted = {false};
    perClient.compute(
        client,
        (address, n) -> {
          int current = n == null ? 0 : n;
          if (current >= settings.perClient()) {
            return n;
          }
          admitted[0] = true;
          return current + 1;
        });
    return admitted[0];
  }

  private void release(InetAddress client) {
    if (settings.perClient() > 0) {
      perClient.computeIfPresent(client, (address, n) -> n <= 1 ? null : n - 1);
    }
  }

  /**
   * Adds a handler that needs no token, for content that carries no camera data (the live page's
   * static files); everything else goes through {@link #mount}.
   */
  public void mountPublic(String path, HttpHandler handler) {
    server.createContext(path, handler);
  }

  private static void serveMetrics(HttpExchange exchange, PipelineMetrics metrics)
      throws IOException {
    try (exchange) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      metrics.scrape(body);
      exchange.getResponseHeaders().set("Content-Type", metrics.contentType());
      exchange.sendResponseHeaders(200, body.size());
      try (OutputStream out = exchange.getResponseBody()) {
        body.writeTo(out);
      }
    }
  }

  private static SSLContext sslContext(Settings settings) {
    Path file = settings.keystore().orElseThrow();
    char[] password = settings.keystorePassword().orElse("").toCharArray();
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(
          StreamsAppConfig.HTTP_TLS_KEYSTORE,
          file.toString(),
          "cannot use it as a PKCS12 keystore (check the file and "
              + StreamsAppConfig.HTTP_TLS_KEYSTORE_PASSWORD
              + "): "
              + e.getMessage());
    }
  }

  public synchronized HttpServerRunner start() {
    if (!started) {
      server.start();
      started = true;
      LOG.info(
          "HTTP{} endpoints on {}{}",
          settings.keystore().isPresent() ? "S" : "",
          baseUri(),
          settings.token().isPresent() ? " (bearer token required)" : "");
    }
    return this;
  }

  /** The bound port (the real one when 0 was configured). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http(s)://address:port}. */
  public URI baseUri() {
    String host = server.getAddress().getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create(
        (settings.keystore().isPresent() ? "https" : "http") + "://" + host + ":" + port());
  }

  @Override
  public synchronized void close() {
    try {
      server.stop(0);
    } catch (IllegalStateException e) {
      // never started: nothing was served
    }
    workers.shutdownNow();
    pool.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
