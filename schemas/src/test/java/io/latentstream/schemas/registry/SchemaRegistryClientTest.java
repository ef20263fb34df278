package io.latentstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.latentstream.platform.LoopbackPorts;
import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.StubSchemaRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchemaRegistryClientTest {

  private static final Schema RAW = RawFrame.getClassSchema();

  private StubSchemaRegistry registry;
  private SchemaRegistryClient client;

  @BeforeEach
  void start() throws IOException {
    registry = new StubSchemaRegistry();
    client = new SchemaRegistryClient(fastRetries(SchemaRegistryConfig.of(registry.url()), 4));
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  private static SchemaRegistryConfig fastRetries(SchemaRegistryConfig config, int attempts) {
    return config.withRetries(attempts, Duration.ofMillis(5), Duration.ofMillis(20));
  }

  @Test
  void shouldReturnSameIdWhenRegisteringThenLookingUp() {
    int id = client.register("images.raw-value", RAW);

    SchemaRegistryClient fresh = new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url()));
    assertThat(fresh.lookup("images.raw-value", RAW)).isEqualTo(id);
    assertThat(fresh.getById(id)).isEqualTo(RAW);
    RegisteredSchema latest = fresh.getLatest("images.raw-value");
    assertThat(latest.id()).isEqualTo(id);
    assertThat(latest.version()).isEqualTo(1);
    assertThat(latest.schema()).isEqualTo(RAW);
    assertThat(fresh.subjects()).containsExactly("images.raw-value");
  }

  @Test
  void shouldSendRegistryContentTypeWhenPostingSchema() {
    client.register("images.raw-value", RAW);

    assertThat(registry.requests())
        .singleElement()
        .satisfies(
            r -> assertThat(r.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json"));
  }

  @Test
  void shouldCallRegistryOnceWhenSameSchemaIsRegisteredOrFetchedRepeatedly() {
    int id = client.register("images.raw-value", RAW);
    for (int i = 0; i < 5; i++) {
      assertThat(client.register("images.raw-value", RAW)).isEqualTo(id);
      assertThat(client.lookup("images.raw-value", RAW)).isEqualTo(id);
      assertThat(client.getById(id)).isEqualTo(RAW);
    }

    assertThat(registry.requests()).hasSize(1);
  }

  @Test
  void shouldFetchSchemaOnceAndAgreeWhenManyThreadsAskForTheSameId() throws Exception {
    int id = registry.register("images.raw-value", RAW);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      Callable<Schema> fetch = () -> client.getById(id);
      List<Future<Schema>> results = pool.invokeAll(java.util.Collections.nCopies(32, fetch));
      for (Future<Schema> result : results) {
        assertThat(result.get()).isEqualTo(RAW);
      }
    } finally {
      pool.shutdownNow();
    }
    // concurrent first calls may each miss the cache; later ones never do
    long fetches = registry.count("GET", "/schemas/ids/");
    client.getById(id);
    assertThat(registry.count("GET", "/schemas/ids/")).isEqualTo(fetches).isBetween(1L, 8L);
  }

  @Test
  void shouldRetryAndSucceedWhenRegistryAnswers503ThenOk() {
    registry.failNext(503, 2);

    int id = client.register("images.raw-value", RAW);

    assertThat(id).isPositive();
    assertThat(registry.count("POST", "/subjects/images.raw-value/versions")).isEqualTo(3);
  }

  @Test
  void shouldThrowUnavailableAfterBoundedAttemptsWhenRegistryKeepsFailing() {
    registry.failNext(503, 10);

    assertThatThrownBy(() -> client.getById(1))
        .isInstanceOfSatisfying(
            RegistryUnavailableException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(503);
              assertThat(e.getMessage()).contains("4 attempt(s)");
            });
    assertThat(registry.requests()).hasSize(4);
  }

  @Test
  void shouldThrowUnavailableWhenNothingListens() throws IOException {
    int port = LoopbackPorts.findFree();
    SchemaRegistryClient dead =
        new SchemaRegistryClient(
            fastRetries(SchemaRegistryConfig.of("http://127.0.0.1:" + port), 2));

    assertThatThrownBy(() -> dead.getById(1))
        .isInstanceOfSatisfying(
            RegistryUnavailableException.class,
            e -> assertThat(e.httpStatus()).isEqualTo(SchemaRegistryException.NO_STATUS))
        .hasCauseInstanceOf(IOException.class);
  }

  @Test
  void shouldFailOverToNextUrlWhenFirstIsDown() throws IOException {
    int port = LoopbackPorts.findFree();
    SchemaRegistryClient failover =
        new SchemaRegistryClient(
            fastRetries(
                SchemaRegistryConfig.of("http://127.0.0.1:" + port + "," + registry.url() + "/"),
                2));

    assertThat(failover.register("images.raw-value", RAW)).isPositive();
  }

  @Test
  void shouldNotRetryWhenRegistryAnswersClientError() {
    registry.failNext(401, 1);

    assertThatThrownBy(() -> client.getById(1))
        .isExactlyInstanceOf(SchemaRegistryException.class)
        .satisfies(e -> assertThat(((SchemaRegistryException) e).httpStatus()).isEqualTo(401));
    assertThat(registry.requests()).hasSize(1);
  }

  @Test
  void shouldSendBasicAuthWhenUserInfoIsConfigured() {
    SchemaRegistryClient authenticated =
        new SchemaRegistryClient(
            SchemaRegistryConfig.of(registry.url()).withBasicAuth("alice:s3cret"));

    authenticated.register("images.raw-value", RAW);

    String expected =
        "Basic "
            + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
    assertThat(registry.requests())
        .extracting(StubSchemaRegistry.Request::authorization)
        .containsOnly(expected);
  }

  @Test
  void shouldNotSendBasicAuthToAnotherHostWhenTheRegistryRedirectsThere() throws IOException {
    List<String> seenElsewhere = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpServer elsewhere =
        server(
            exchange -> {
              String auth = exchange.getRequestHeaders().getFirst("Authorization");
              seenElsewhere.add(auth == null ? "(none)" : auth);
              byte[] body = "{\"id\": 7}".getBytes(StandardCharsets.UTF_8);
              exchange.sendResponseHeaders(200, body.length);
              exchange.getResponseBody().write(body);
              exchange.close();
            });
    // the same machine under another name: another host as far as the client can tell
    String target = "http://localhost:" + elsewhere.getAddress().getPort();
    HttpServer origin =
        server(
            exchange -> {
              exchange.getResponseHeaders().set("Location", target + exchange.getRequestURI());
              exchange.sendResponseHeaders(307, -1);
              exchange.close();
            });
    try {
      SchemaRegistryClient authenticated =
          new SchemaRegistryClient(
              SchemaRegistryConfig.of("http://127.0.0.1:" + origin.getAddress().getPort())
                  .withBasicAuth("alice:s3cret"));

      assertThat(authenticated.register("images.raw-value", RAW)).isEqualTo(7);
      assertThat(seenElsewhere).containsExactly("(none)");
    } finally {
      origin.stop(0);
      elsewhere.stop(0);
    }
  }

  @Test
  void shouldKeepBasicAuthWhenTheRegistryRedirectsWithinItself() throws IOException {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpServer same =
        server(
            exchange -> {
              if (!exchange.getRequestURI().getPath().startsWith("/moved")) {
                exchange.getResponseHeaders().set("Location", "/moved" + exchange.getRequestURI());
                exchange.sendResponseHeaders(308, -1);
                exchange.close();
                return;
              }
              seen.add(exchange.getRequestHeaders().getFirst("Authorization"));
              byte[] body = "{\"id\": 9}".getBytes(StandardCharsets.UTF_8);
              exchange.sendResponseHeaders(200, body.length);
              exchange.getResponseBody().write(body);
              exchange.close();
            });
    try {
      SchemaRegistryClient authenticated =
          new SchemaRegistryClient(
              SchemaRegistryConfig.of("http://127.0.0.1:" + same.getAddress().getPort())
                  .withBasicAuth("alice:s3cret"));

      assertThat(authenticated.register("images.raw-value", RAW)).isEqualTo(9);
      assertThat(seen)
          .containsExactly(
              "Basic "
                  + Base64.getEncoder()
                      .encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)));
    } finally {
      same.stop(0);
    }
  }

  private static HttpServer server(HttpHandler handler) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", handler);
    server.start();
    return server;
  }

  @Test
  void shouldThrowSchemaNotFoundWhenIdIsUnknown() {
    assertThatThrownBy(() -> client.getById(999))
        .isInstanceOfSatisfying(
            SchemaNotFoundException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(404);
              assertThat(e.errorCode()).isEqualTo(40403);
            });
  }

  @Test
  void shouldThrowSubjectNotFoundWhenSubjectIsUnknown() {
    assertThatThrownBy(() -> client.getLatest("nope-value"))
        .isInstanceOf(SubjectNotFoundException.class);
    assertThatThrownBy(() -> client.lookup("nope-value", RAW))
        .isInstanceOfSatisfying(
            SubjectNotFoundException.class, e -> assertThat(e.errorCode()).isEqualTo(40401));
  }

  @Test
  void shouldThrowSchemaNotFoundWhenSubjectExistsWithoutThatSchema() {
    client.register("images.raw-value", RAW);

    assertThatThrownBy(() -> client.lookup("images.raw-value", DeadLetter.getClassSchema()))
        .isInstanceOf(SchemaNotFoundException.class);
  }

  @Test
  void shouldMapConflictAndUnprocessableToTypedExceptionsWhenServerRejects() {
    registry.failNext(409, 1);
    assertThatThrownBy(() -> client.register("images.raw-value", RAW))
        .isInstanceOfSatisfying(
            IncompatibleSchemaException.class, e -> assertThat(e.httpStatus()).isEqualTo(409));

    registry.failNext(422, 1);
    assertThatThrownBy(() -> client.register("images.raw-value", RAW))
        .isInstanceOfSatisfying(
            InvalidSchemaException.class,
            e -> {
              assertThat(e.httpStatus()).isEqualTo(422);
              assertThat(e.errorCode()).isEqualTo(42200);
              assertThat(e.getMessage()).contains("canned failure");
            });
  }

  @Test
  void shouldReportCompatibilityWhenCandidateAddsFieldWithOrWithoutDefault() {
    Schema v1 = ThingSchemas.v1();
    Schema withDefault = ThingSchemas.withDefault();
    Schema withoutDefault = ThingSchemas.withoutDefault();
    client.register("thing-value", v1);

    assertThat(client.testCompatibility("thing-value", withDefault)).isTrue();
    assertThat(client.testCompatibility("thing-value", withoutDefault)).isFalse();
  }

  @Test
  void shouldRoundTripCompatibilityLevelWhenSetOnSubject() {
    assertThat(client.getCompatibility("images.raw-value")).isEmpty();

    assertThat(client.setCompatibility("images.raw-value", CompatibilityLevel.FULL))
        .isEqualTo(CompatibilityLevel.FULL);

    assertThat(client.getCompatibility("images.raw-value")).contains(CompatibilityLevel.FULL);
  }

  @Test
  void shouldDoubleBackoffUpToCapWhenRetrying() {
    SchemaRegistryConfig config =
        SchemaRegistryConfig.of("http://x")
            .withRetries(10, Duration.ofMillis(100), Duration.ofMillis(500));

    assertThat(List.of(1, 2, 3, 4, 40))
        .extracting(config::backoffBeforeRetry)
        .containsExactly(
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            Duration.ofMillis(400),
            Duration.ofMillis(500),
            Duration.ofMillis(500));
  }

  @Test
  void shouldHidePasswordsWhenConfigIsPrinted() {
    SchemaRegistryConfig config =
        SchemaRegistryConfig.of("https://r:8081")
            .withBasicAuth("alice:s3cret")
            .withTls(
                TlsConfig.trusting(java.nio.file.Path.of("/tmp/trust.p12"), "tr0st", "PKCS12"));

    assertThat(config.toString())
        .contains("alice")
        .doesNotContain("s3cret")
        .doesNotContain("tr0st");
  }

  @Test
  void shouldRejectConfigWhenNoUrlOrBadUserInfo() {
    assertThatThrownBy(() -> SchemaRegistryConfig.of(" , "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SchemaRegistryConfig.of("http://x").withBasicAuth("nocolon"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldFailClearlyWhenTruststoreIsMissing() {
    TlsConfig tls =
        TlsConfig.trusting(java.nio.file.Path.of("/nonexistent/trust.p12"), "x", "PKCS12");

    assertThatThrownBy(tls::toSslContext)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/nonexistent/trust.p12");
  }
}
