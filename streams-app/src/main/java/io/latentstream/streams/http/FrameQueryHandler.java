package io.latentstream.streams.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.latentstream.schemas.DecodeStatus;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.streams.topology.DecodeTopology;
import io.latentstream.streams.topology.LatentFrameDecoder;
import io.latentstream.streams.topology.LatentFrameDecoder.Decoded;
import io.latentstream.streams.topology.LatentFrameDecoder.Failed;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /frames/{camera}/{sequence}}: the decoded frame as PNG, or with {@code ?format=raw}
 * the raw RGB24/GRAY8 bytes; both carry {@code X-Image-Width}, {@code X-Image-Height}, {@code
 * X-Pixel-Format} and {@code X-Model-Version} headers. The camera id is one path segment
 * (percent-encode a '/' in it).
 *
 * <p>The frame lives in the {@link DecodeTopology#STORE} of the instance whose task owns the
 * camera's partition: interactive-query metadata names it. A frame owned here is read from the
 * local store; otherwise the request is forwarded to the owner's {@code application.server} (HTTP),
 * or answered with a 307 redirect to it when the service runs HTTPS (the client, not this instance,
 * should verify the owner's certificate). While a rebalance moves the partition, the handler
 * retries for a few seconds and then answers 503 with {@code Retry-After}. A request marked as
 * forwarded by another instance is never retried here: it is answered at once (503 while this
 * instance cannot serve it) and the forwarding instance does the waiting, so the mark, which any
 * client can send, never buys a long hold on a worker. Answers: 200, 400 (bad path or format), 404
 * (not retained), 405, 422 (undecodable frame), 503 (rebalancing, owner unreachable, model
 * unavailable); never 500.
 *
 * <p>Thread-safe (the HTTP server calls it from its pool). Does not own the {@link KafkaStreams}
 * client.
 */
public final class FrameQueryHandler implements HttpHandler {
  /** Context path to mount the handler on. */
  public static final String CONTEXT = "/frames/";

  /**
   * Marks a request forwarded by another instance: it must be answered here, never forwarded again,
   * and at once (the forwarding instance retries).
   */
  static final String FORWARDED = "X-Latentstream-Forwarded";

  private static final Logger LOG = LoggerFactory.getLogger(FrameQueryHandler.class);
  private static final Serializer<String> CAMERA_KEY = new StringSerializer();
  private static final long RETRY_PAUSE_MS = 100;
  private static final List<String> COPIED_HEADERS =
      List.of(
          "Content-Type",
          "Retry-After",
          "X-Image-Width",
          "X-Image-Height",
          "X-Pixel-Format",
          "X-Model-Version",
          "X-Served-By",
          "X-Sequence",
          "X-Frame-Type");

  private final KafkaStreams streams;
  private final HostInfo self;

  /** How far back {@code ?nearest=before} looks for a retained frame. */
  static final int NEAREST_LOOKBACK = 64;

  private final LatentFrameDecoder decoder;
  private final boolean redirect;
  private final Duration rebalanceWait;
  private final HttpClient client;

  /**
   * @param streams the running client (its {@code application.server} must be {@code self})
   * @param self this instance's {@code application.server} host and port
   * @param decoder decodes frames with the version that encoded them
   * @param redirect answer 307 to the owner instead of forwarding (set when serving HTTPS)
   * @param rebalanceWait how long to retry while the owner is unknown or moving, before answering
   *     503
   */
  public FrameQueryHandler(
      KafkaStreams streams,
      HostInfo self,
      LatentFrameDecoder decoder,
      boolean redirect,
      Duration rebalanceWait) {
    this.streams = streams;
    this.self = self;
    this.decoder = decoder;
    this.redirect = redirect;
    this.rebalanceWait = rebalanceWait;
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  /** What a lookup came to: a response to write. */
  private sealed interface Answer permits Local, Remote, Problem {}

  private record Local(LatentFrame frame, LatentFrameDecoder.Chain chain) implements Answer {}

  private record Remote(int status, Map<String, List<String>> headers, byte[] body)
      implements Answer {}

  private record Problem(int status, String message, boolean retryAfter) implements Answer {}

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        serve(exchange);
      } catch (RuntimeException e) {
        // never a 500: whatever went wrong here is most likely transient (a rebalance, a closing
        // store)
        LOG.warn("frame query {} failed: {}", exchange.getRequestURI(), e.toString());
        exchange.getResponseHeaders().set("Retry-After", "1");
        Responses.text(exchange, 503, "temporarily unavailable: " + e.getMessage() + "\n");
      }
    }
  }

  private void serve(HttpExchange exchange) throws IOException {
    if (!Responses.allowMethods(exchange, "GET")) {
      return;
    }
    String rest = exchange.getRequestURI().getRawPath().substring(CONTEXT.length());
    String[] parts = rest.split("/", -1);
    if (parts.length != 2 || parts[0].isEmpty()) {
      Responses.text(exchange, 400, "expected /frames/{camera}/{sequence}\n");
      return;
    }
    // percent-decoding of a path segment: unlike a query, '+' stays a plus
    String camera = URLDecoder.decode(parts[0].replace("+", "%2B"), StandardCharsets.UTF_8);
    long sequence;
    try {
      sequence = Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      Responses.text(exchange, 400, "sequence '" + parts[1] + "' is not a number\n");
      return;
    }
    Optional<Boolean> raw = rawFormat(exchange.getRequestURI().getRawQuery());
    if (raw.isEmpty()) {
      Responses.text(exchange, 400, "format must be png or raw\n");
      return;
    }
    boolean forwarded = exchange.getRequestHeaders().containsKey(FORWARDED);
    // ?nearest=before: the newest retained frame at or before the sequence (the live page asks for
    // the newest frame
    // it has heard of, which the decode store may not have received yet)
    boolean nearest = hasParam(exchange.getRequestURI().getRawQuery(), "nearest", "before");
    Answer answer = lookup(exchange, camera, sequence, forwarded, nearest);
    if (answer instanceof Problem p) {
      if (p.retryAfter()) {
        exchange.getResponseHeaders().set("Retry-After", "1");
      }
      Responses.text(exchange, p.status(), p.message() + "\n");
    } else if (answer instanceof Remote r) {
      relay(exchange, r);
    } else {
      Local local = (Local) answer;
      respond(exchange, local.frame(), local.chain(), camera, sequence, raw.get());
    }
  }

  private static boolean hasParam(String rawQuery, String name, String value) {
    if (rawQuery == null) {
      return false;
    }
    for (String param : rawQuery.split("&")) {
      if (param.equals(name + "=" + value)) {
        return true;
      }
    }
    return false;
  }

  private static Optional<Boolean> rawFormat(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return Optional.of(false);
    }
    boolean raw = false;
    for (String param : rawQuery.split("&")) {
      int eq = param.indexOf('=');
      String name = eq < 0 ? param : param.substring(0, eq);
      if (name.equals("format")) {
        String value =
            eq < 0
                ? ""
                : URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8)
                    .toLowerCase(Locale.ROOT);
        if (value.equals("raw")) {
          raw = true;
        } else if (!value.equals("png")) {
          return Optional.empty();
        }
      }
    }
    return Optional.of(raw);
  }

  /**
   * Finds the owner and the frame, retrying through rebalances until {@link #rebalanceWait} runs
   * out.
   */
  private Answer lookup(
      HttpExchange exchange, String camera, long sequence, boolean forwarded, boolean nearest) {
    long deadline = System.nanoTime() + rebalanceWait.toNanos();
    String why;
    while (true) {
      KafkaStreams.State state = streams.state();
      if (!state.isRunningOrRebalancing()) {
        return new Problem(503, "streams client is " + state, true);
      }
      KeyQueryMetadata md = streams.queryMetadataForKey(DecodeTopology.STORE, camera, CAMERA_KEY);
      if (md == null
          || md.equals(KeyQueryMetadata.NOT_AVAILABLE)
          || md.activeHost() == null
          || md.activeHost().equals(HostInfo.unavailable())) {
        why = "the owner of camera " + camera + " is not known yet (rebalancing)";
      } else if (md.activeHost().equals(self)) {
        try {
          ReadOnlyWindowStore<String, LatentFrame> store =
              streams.store(
                  StoreQueryParameters.fromNameAndType(
                          DecodeTopology.STORE,
                          QueryableStoreTypes.<String, LatentFrame>windowStore())
                      .withPartition(md.partition()));
          Optional<LatentFrame> frame =
              nearest
                  ? DecodeTopology.atOrBefore(store, camera, sequence, NEAREST_LOOKBACK)
                  : DecodeTopology.latest(store, camera, sequence);
          if (frame.isEmpty()) {
            return new Problem(
                404, "frame " + sequence + " of camera " + camera + " is not retained", false);
          }
          ReadOnlyWindowStore<String, byte[]> checkpoints =
              streams.store(
                  StoreQueryParameters.fromNameAndType(
                          DecodeTopology.CHECKPOINTS,
                          QueryableStoreTypes.<String, byte[]>windowStore())
                      .withPartition(md.partition()));
          return new Local(frame.get(), DecodeTopology.chain(store, checkpoints, camera));
        } catch (InvalidStateStoreException e) {
          why =
              "the store of partition " + md.partition() + " is not ready here: " + e.getMessage();
        }
      } else if (forwarded) {
        // the forwarding instance and this one disagree on the owner: metadata is moving
        why = "ownership of camera " + camera + " is moving";
      } else if (redirect) {
        URI location = ownerUri(md.activeHost(), exchange.getRequestURI(), "https");
        exchange.getResponseHeaders().set("Location", location.toString());
        return new Problem(307, "frame is served by " + location, false);
      } else {
        Optional<Remote> remote = forward(exchange, md.activeHost());
        if (remote.isPresent()) {
          return remote.get();
        }
        why = "owner " + md.activeHost() + " of camera " + camera + " is unreachable";
      }
      if (forwarded || System.nanoTime() > deadline) {
        return new Problem(
            503, why, true); // a forwarded request: the forwarding instance asks again
      }
      try {
        Thread.sleep(RETRY_PAUSE_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Problem(503, why, true);
      }
    }
  }

  private static URI ownerUri(HostInfo owner, URI request, String scheme) {
    String host = owner.host().contains(":") ? "[" + owner.host() + "]" : owner.host();
    String query = request.getRawQuery() == null ? "" : "?" + request.getRawQuery();
    return URI.create(scheme + "://" + host + ":" + owner.port() + request.getRawPath() + query);
  }

  /** Asks the owner; empty when it cannot be reached (it may be leaving: the caller retries). */
  private Optional<Remote> forward(HttpExchange exchange, HostInfo owner) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(ownerUri(owner, exchange.getRequestURI(), "http"))
            .timeout(Duration.ofSeconds(30))
            .header(FORWARDED, "1")
            .GET();
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    if (auth != null) {
      request.header("Authorization", auth);
    }
    try {
      HttpResponse<byte[]> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() == 503) {
        return Optional.empty(); // the owner is itself rebalancing: ask again
      }
      return Optional.of(
          new Remote(response.statusCode(), response.headers().map(), response.body()));
    } catch (ConnectException | HttpTimeoutException e) {
      LOG.debug("forwarding to {} failed: {}", owner, e.toString());
      return Optional.empty();
    } catch (IOException e) {
      LOG.debug("forwarding to {} failed: {}", owner, e.toString());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static void relay(HttpExchange exchange, Remote r) throws IOException {
    for (String name : COPIED_HEADERS) {
      r.headers().entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .findFirst()
          .ifPresent(e -> exchange.getResponseHeaders().put(name, e.getValue()));
    }
    send(exchange, r.status(), r.body());
  }

  private void respond(
      HttpExchange exchange,
      LatentFrame frame,
      LatentFrameDecoder.Chain chain,
      String camera,
      long sequence,
      boolean raw)
      throws IOException {
    LatentFrameDecoder.Result result = decoder.decode(frame, chain);
    if (result instanceof Failed f && f.status() == DecodeStatus.NOT_FOUND) {
      Responses.text(
          exchange,
          404,
          f.error() + "\n"); // the frame's chain is gone: a clear status, not an error
      return;
    }
    if (result instanceof Failed f) {
      boolean modelMissing = f.status() == DecodeStatus.MODEL_UNAVAILABLE;
      if (modelMissing) {
        exchange.getResponseHeaders().set("Retry-After", "30");
      }
      Responses.text(exchange, modelMissing ? 503 : 422, f.error() + "\n");
      return;
    }
    Decoded d = (Decoded) result;
    var headers = exchange.getResponseHeaders();
    headers.set("X-Image-Width", Integer.toString(d.image().width()));
    headers.set("X-Image-Height", Integer.toString(d.image().height()));
    headers.set("X-Model-Version", d.modelVersion());
    headers.set("X-Sequence", Long.toString(frame.getSequence()));
    headers.set("X-Frame-Type", frame.getFrameType().name());
    headers.set("X-Served-By", self.host() + ":" + self.port());
    byte[] body;
    if (raw) {
      headers.set("Content-Type", "application/octet-stream");
      headers.set("X-Pixel-Format", d.rawFormat().name());
      body = d.image().pixels();
    } else {
      headers.set("Content-Type", "image/png");
      headers.set("X-Pixel-Format", "PNG");
      body = d.png();
    }
    LOG.debug("decoded frame {}/{} with {}", camera, sequence, d.modelVersion());
    send(exchange, 200, body);
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
