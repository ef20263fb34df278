package io.latentstream.streams.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writing small plain-text responses; closes the exchange. Stateless. */
final class Responses {

  private Responses() {}

  /**
   * Whether the request's method is one of {@code allowed} (HEAD counts as GET where GET is
   * allowed); if not, answers 405 with the Allow header and returns false.
   */
  static boolean allowMethods(HttpExchange exchange, String... allowed) throws IOException {
    String method = exchange.getRequestMethod();
    for (String m : allowed) {
      if (m.equals(method) || (m.equals("GET") && method.equals("HEAD"))) {
        return true;
      }
    }
    String list = String.join(", ", allowed);
    exchange.getResponseHeaders().set("Allow", list.equals("GET") ? "GET, HEAD" : list);
    text(exchange, 405, "use " + allowed[0] + "\n");
    return false;
  }

  static void text(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
      return;
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
