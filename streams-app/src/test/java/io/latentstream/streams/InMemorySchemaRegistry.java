package io.latentstream.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * The part of the Confluent schema-registry REST API the serde uses (register, look up, fetch by id), in memory on a
 * loopback port: fast unit tests of topologies with {@code TopologyTestDriver}. Integration tests use the real
 * registry instead. Thread-safe; close it to stop the server.
 */
public final class InMemorySchemaRegistry implements AutoCloseable {

  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, Integer> ids = new LinkedHashMap<>();
  private final Map<Integer, String> schemas = new LinkedHashMap<>();
  private final AtomicInteger nextId = new AtomicInteger(1);
  private final HttpServer server;

  public InMemorySchemaRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private synchronized void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (exchange.getRequestMethod().equals("GET") && path.startsWith("/schemas/ids/")) {
        String schema = schemas.get(Integer.parseInt(path.substring("/schemas/ids/".length())));
        if (schema == null) {
          reply(exchange, 404, Map.of("error_code", 40403, "message", "Schema not found"));
        } else {
          reply(exchange, 200, Map.of("schema", schema));
        }
        return;
      }
      if (exchange.getRequestMethod().equals("POST") && path.startsWith("/subjects/")) {
        JsonNode body = json.readTree(exchange.getRequestBody());
        String canonical = new Schema.Parser().parse(body.get("schema").asText()).toString();
        Integer id = ids.get(canonical);
        if (path.endsWith("/versions")) {
          if (id == null) {
            id = nextId.getAndIncrement();
            ids.put(canonical, id);
            schemas.put(id, canonical);
          }
          reply(exchange, 200, Map.of("id", id));
        } else if (id == null) {
          reply(exchange, 404, Map.of("error_code", 40403, "message", "Schema not found"));
        } else {
          reply(exchange, 200, Map.of("id", id, "schema", canonical, "version", 1));
        }
        return;
      }
      reply(exchange, 404, Map.of("error_code", 404, "message", "not supported by the in-memory registry"));
    }
  }

  private void reply(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
