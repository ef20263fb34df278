package io.latentstream.schemas.registry;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Immutable settings of a {@link SchemaRegistryClient}. Build with {@link #of(String)} and the
 * {@code with*} methods.
 *
 * @param urls base URLs of the Confluent-compatible API (e.g. {@code
 *     http://host:8080/apis/ccompat/v7} for Apicurio); tried in turn when one fails
 * @param basicAuthUserInfo {@code user:password} for HTTP basic authentication, or empty
 * @param tls TLS settings for {@code https} URLs, or empty for the JDK defaults
 * @param connectTimeout TCP connect timeout
 * @param requestTimeout timeout of one HTTP request, response included
 * @param maxAttempts attempts per operation (first try included) on connection errors, 5xx and 429;
 *     at least 1
 * @param initialBackoff wait before the first retry; doubles per retry
 * @param maxBackoff upper bound of the wait between retries
 */
public record SchemaRegistryConfig(
    List<URI> urls,
    Optional<String> basicAuthUserInfo,
    Optional<TlsConfig> tls,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_ATTEMPTS = 4;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);

  public SchemaRegistryConfig {
    Objects.requireNonNull(urls, "urls");
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("At least one schema registry URL is required");
    }
    urls = urls.stream().map(SchemaRegistryConfig::withoutTrailingSlash).toList();
    basicAuthUserInfo = basicAuthUserInfo == null ? Optional.empty() : basicAuthUserInfo;
    basicAuthUserInfo.ifPresent(
        info -> {
          if (!info.contains(":")) {
            throw new IllegalArgumentException("Basic auth user info must be 'user:password'");
          }
        });
    tls = tls == null ? Optional.empty() : tls;
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
      throw new IllegalArgumentException("Backoff durations must not be negative");
    }
  }

  /** Default settings for one or more comma-separated base URLs. */
  public static SchemaRegistryConfig of(String commaSeparatedUrls) {
    List<URI> urls =
        Arrays.stream(Objects.requireNonNull(commaSeparatedUrls, "urls").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .map(URI::create)
            .toList();
    return new SchemaRegistryConfig(
        urls,
        Optional.empty(),
        Optional.empty(),
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_MAX_ATTEMPTS,
        DEFAULT_INITIAL_BACKOFF,
        DEFAULT_MAX_BACKOFF);
  }

  /** A copy that authenticates with HTTP basic auth ({@code user:password}). */
  public SchemaRegistryConfig withBasicAuth(String userInfo) {
    return new SchemaRegistryConfig(
        urls,
        Optional.of(userInfo),
        tls,
        connectTimeout,
        requestTimeout,
        maxAttempts,
        initialBackoff,
        maxBackoff);
  }

  /** A copy with these TLS settings. */
  public SchemaRegistryConfig withTls(TlsConfig tlsConfig) {
    return new SchemaRegistryConfig(
        urls,
        basicAuthUserInfo,
        Optional.of(tlsConfig),
        connectTimeout,
        requestTimeout,
        maxAttempts,
        initialBackoff,
        maxBackoff);
  }

  /** A copy with these timeouts. */
  public SchemaRegistryConfig withTimeouts(Duration connect, Duration request) {
    return new SchemaRegistryConfig(
        urls, basicAuthUserInfo, tls, connect, request, maxAttempts, initialBackoff, maxBackoff);
  }

  /** A copy with this retry policy. */
  public SchemaRegistryConfig withRetries(int attempts, Duration initial, Duration max) {
    return new SchemaRegistryConfig(
        urls, basicAuthUserInfo, tls, connectTimeout, requestTimeout, attempts, initial, max);
  }

  /**
   * Backoff before retry number {@code retry} (1-based): initial * 2^(retry-1), capped at
   * maxBackoff.
   */
  public Duration backoffBeforeRetry(int retry) {
    long factor = 1L << Math.min(Math.max(retry - 1, 0), 30);
    long millis = initialBackoff.toMillis() * factor;
    if (millis < 0 || millis > maxBackoff.toMillis()) {
      return maxBackoff;
    }
    return Duration.ofMillis(millis);
  }

  private static URI withoutTrailingSlash(URI uri) {
    Objects.requireNonNull(uri, "url");
    String s = uri.toString();
    return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : uri;
  }

  @Override
  public String toString() {
    return "SchemaRegistryConfig[urls="
        + urls
        + ", basicAuth="
        + basicAuthUserInfo.map(u -> u.substring(0, u.indexOf(':')) + ":[hidden]").orElse("none")
        + ", tls="
        + tls.map(TlsConfig::toString).orElse("default")
        + ", connectTimeout="
        + connectTimeout
        + ", requestTimeout="
        + requestTimeout
        + ", maxAttempts="
        + maxAttempts
        + ", initialBackoff="
        + initialBackoff
        + ", maxBackoff="
        + maxBackoff
        + "]";
  }
}
