package io.latentstream.streams.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code GET /live/}: the live page's static files (HTML, JavaScript, CSS from the classpath folder
 * {@code /live/}). They hold no camera data, so they are served without the bearer token; the page
 * reads the token from its URL fragment ({@code /live/#token=...}, never sent to the server) and
 * sends it with every request for data ({@code /api/live}, {@code /frames/}).
 *
 * <p>Responses carry a strict Content-Security-Policy (scripts and styles from this origin only,
 * images from this origin and blob URLs, no framing) as a second line of defence: camera ids come
 * from producers. Immutable and thread-safe; the files are read once at construction.
 */
public final class LivePageHandler implements HttpHandler {
  /** Context path to mount the handler on (without authentication). */
  public static final String CONTEXT = "/live";

  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
          + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private record Resource(byte[] body, String contentType) {}

  private final Map<String, Resource> files;

  /**
   * @throws IllegalStateException when a file of the page is missing from the classpath (a
   *     packaging bug)
   */
  public LivePageHandler() {
    files =
        Map.of(
            "/live/", load("index.html", "text/html; charset=utf-8"),
            "/live/live.js", load("live.js", "text/javascript; charset=utf-8"),
            "/live/live.css", load("live.css", "text/css; charset=utf-8"));
  }

  private static Resource load(String name, String contentType) {
    try (InputStream in = LivePageHandler.class.getResourceAsStream("/live/" + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "live page file /live/" + name + " is not on the classpath");
      }
      return new Resource(in.readAllBytes(), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!Responses.allowMethods(exchange, "GET")) {
        return;
      }
      String path = exchange.getRequestURI().getPath();
      if (path.equals(CONTEXT) || path.equals("/live/index.html")) {
        // relative, so that it also works behind a reverse proxy that adds a path prefix
        exchange.getResponseHeaders().set("Location", path.equals(CONTEXT) ? "live/" : "./");
        Responses.text(exchange, 301, "see /live/\n");
        return;
      }
      Resource file = files.get(path);
      if (file == null) {
        Responses.text(exchange, 404, "no such file\n");
        return;
      }
      var headers = exchange.getResponseHeaders();
      headers.set("Content-Type", file.contentType());
      headers.set("Cache-Control", "no-cache");
      headers.set("Content-Security-Policy", CSP);
      headers.set("X-Content-Type-Options", "nosniff");
      headers.set("Referrer-Policy", "no-referrer");
      if (exchange.getRequestMethod().equals("HEAD")) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, file.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(file.body());
      }
    }
  }
}
