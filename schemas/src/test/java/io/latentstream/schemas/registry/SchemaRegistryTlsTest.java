package io.latentstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.latentstream.schemas.RawFrame;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client over HTTPS with a truststore from {@link TlsConfig}, against a JDK HTTPS server. */
class SchemaRegistryTlsTest {

  private static final String PASSWORD = "changeit";

  @TempDir static Path dir;

  private HttpsServer server;
  private final List<String> authorizations = new CopyOnWriteArrayList<>();

  /** keytool runs are slow: make the stores once per class. */
  @BeforeAll
  static void makeStores() throws Exception {
    Path serverStore = dir.resolve("server.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "registry",
        "-keyalg",
        "EC",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=ip:127.0.0.1",
        "-validity",
        "2",
        "-keystore",
        serverStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD);
    keytool(
        "-exportcert",
        "-alias",
        "registry",
        "-keystore",
        serverStore.toString(),
        "-storepass",
        PASSWORD,
        "-file",
        dir.resolve("registry.crt").toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "registry",
        "-file",
        dir.resolve("registry.crt").toString(),
        "-keystore",
        dir.resolve("trust.p12").toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASSWORD);
  }

  @BeforeEach
  void start() throws Exception {
    Path serverStore = dir.resolve("server.p12");

    TlsConfig serverTls =
        new TlsConfig(
            Optional.empty(),
            Optional.of(new TlsConfig.Store(serverStore, Optional.of(PASSWORD), "PKCS12")),
            Optional.empty());
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls.toSslContext()));
    server.createContext(
        "/",
        exchange -> {
          authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
          byte[] body = "{\"id\": 7}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url() {
    return "https://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void shouldRegisterOverHttpsWithBasicAuthWhenServerCertificateIsTrusted() {
    SchemaRegistryClient client =
        new SchemaRegistryClient(
            SchemaRegistryConfig.of(url())
                .withBasicAuth("alice:pw")
                .withTls(TlsConfig.trusting(dir.resolve("trust.p12"), PASSWORD, "PKCS12")));

    assertThat(client.register("images.raw-value", RawFrame.getClassSchema())).isEqualTo(7);
    assertThat(authorizations).singleElement().asString().startsWith("Basic ");
  }

  @Test
  void shouldFailAtOnceWithClearMessageWhenServerCertificateIsNotTrusted() {
    SchemaRegistryClient client =
        new SchemaRegistryClient(
            SchemaRegistryConfig.of(url())
                .withRetries(2, Duration.ofMillis(1), Duration.ofMillis(1)));

    assertThatThrownBy(() -> client.register("images.raw-value", RawFrame.getClassSchema()))
        .isExactlyInstanceOf(SchemaRegistryException.class)
        .hasMessageContaining("truststore")
        .hasCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    assertThat(authorizations).isEmpty();
  }

  @Test
  void shouldRejectTruststoreWhenPasswordIsWrong() {
    TlsConfig tls = TlsConfig.trusting(dir.resolve("trust.p12"), "wrong", "PKCS12");

    assertThatThrownBy(tls::toSslContext)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trust.p12")
        .hasMessageNotContaining("wrong");
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }
}
