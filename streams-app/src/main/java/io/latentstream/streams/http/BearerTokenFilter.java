package io.latentstream.streams.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * Lets a request through only with {@code Authorization: Bearer <token>}; answers 401 with a {@code
 * WWW-Authenticate} challenge otherwise. The comparison takes constant time, so the token cannot be
 * guessed byte by byte from response times.
 *
 * <p>Immutable and thread-safe.
 */
public final class BearerTokenFilter extends Filter {

  private final byte[] expected;

  public BearerTokenFilter(String token) {
    if (Objects.requireNonNull(token, "token").isEmpty()) {
      throw new IllegalArgumentException("the bearer token must not be empty");
    }
    this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header != null
        && MessageDigest.isEqual(expected, header.trim().getBytes(StandardCharsets.UTF_8))) {
      chain.doFilter(exchange);
      return;
    }
    exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"latentstream\"");
    Responses.text(exchange, 401, "missing or wrong bearer token\n");
  }

  @Override
  public String description() {
    return "bearer token authentication";
  }
}
