package io.latentstream.streams.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ResponsesTest {
  private HttpServer server;
  private URI base;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/read",
        ex -> {
          if (Responses.allowMethods(ex, "GET")) {
            Responses.text(ex, 200, "read\n");
          }
        });
    server.createContext(
        "/write",
        ex -> {
          if (Responses.allowMethods(ex, "POST")) {
            Responses.text(ex, 202, "written\n");
          }
        });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(base.resolve(path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldServeGetAndHeadAndAnswer405WithAllowToOtherMethods() throws Exception {
    assertThat(send("GET", "/read").body()).isEqualTo("read\n");
    assertThat(send("HEAD", "/read").statusCode()).isEqualTo(200);
    HttpResponse<String> post = send("POST", "/read");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void shouldServePostOnlyWhereOnlyPostIsAllowed() throws Exception {
    assertThat(send("POST", "/write").statusCode()).isEqualTo(202);
    HttpResponse<String> get = send("GET", "/write");
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    assertThat(get.body()).isEqualTo("use POST\n");
  }
}
