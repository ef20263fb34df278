package io.latentstream.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A small in-memory server speaking the Confluent Schema Registry REST API, for unit tests only
 * (integration tests use the real registry). Records every request and can be told to fail the next
 * requests with a given status.
 */
public final class StubSchemaRegistry implements AutoCloseable {

  /** A request the stub received. */
  public record Request(String method, String path, String authorization, String contentType) {}

  private final HttpServer server;
  private final ObjectMapper json = new ObjectMapper();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Deque<Integer> cannedFailures = new ConcurrentLinkedDeque<>();
  private final Map<Integer, Schema> schemasById = new LinkedHashMap<>();
  private final Map<String, List<Integer>> versionsBySubject = new LinkedHashMap<>();
  private final Map<String, String> compatibilityBySubject = new LinkedHashMap<>();

  public StubSchemaRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Base URL to configure clients with. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answer the next {@code times} requests with {@code status} (and an error body). */
  public void failNext(int status, int times) {
    for (int i = 0; i < times; i++) {
      cannedFailures.add(status);
    }
  }

  public List<Request> requests() {
    return new ArrayList<>(requests);
  }

  /** Number of requests whose method and path start match. */
  public long count(String method, String pathPrefix) {
    return requests.stream()
        .filter(r -> r.method().equals(method) && r.path().startsWith(pathPrefix))
        .count();
  }

  /** Registers directly, bypassing HTTP (for arranging tests). */
  public synchronized int register(String subject, Schema schema) {
    int id = idOf(schema);
    List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
    if (!versions.contains(id)) {
      versions.add(id);
    }
    return id;
  }

  private int idOf(Schema schema) {
    for (Map.Entry<Integer, Schema> entry : schemasById.entrySet()) {
      if (entry.getValue().equals(schema)) {
        return entry.getKey();
      }
    }
    int id = schemasById.size() + 1;
    schemasById.put(id, schema);
    return id;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getRawPath();
    requests.add(
        new Request(
            method,
            path,
            exchange.getRequestHeaders().getFirst("Authorization"),
            exchange.getRequestHeaders().getFirst("Content-Type")));
    byte[] body = exchange.getRequestBody().readAllBytes();
    Integer failure = cannedFailures.poll();
    if (failure != null) {
      respond(exchange, failure, error(failure * 100, "canned failure"));
      return;
    }
    try {
      synchronized (this) {
        route(exchange, method, path, body);
      }
    } catch (RuntimeException e) {
      respond(exchange, 500, error(50001, e.toString()));
    }
  }

  private void route(HttpExchange exchange, String method, String path, byte[] body)
      throws IOException {
    String[] parts = path.split("/");
    if (method.equals("POST")
        && parts.length == 4
        && parts[1].equals("subjects")
        && parts[3].equals("versions")) {
      respond(exchange, 200, json.createObjectNode().put("id", register(parts[2], schema(body))));
    } else if (method.equals("POST") && parts.length == 3 && parts[1].equals("subjects")) {
      List<Integer> versions = versionsBySubject.get(parts[2]);
      if (versions == null) {
        respond(exchange, 404, error(40401, "Subject not found"));
        return;
      }
      Schema schema = schema(body);
      for (int i = 0; i < versions.size(); i++) {
        if (schemasById.get(versions.get(i)).equals(schema)) {
          respond(exchange, 200, describe(parts[2], versions.get(i), i + 1));
          return;
        }
      }
      respond(exchange, 404, error(40403, "Schema not found"));
    } else if (method.equals("GET")
        && parts.length == 4
        && parts[1].equals("schemas")
        && parts[2].equals("ids")) {
      Schema schema = schemasById.get(Integer.parseInt(parts[3]));
      if (schema == null) {
        respond(exchange, 404, error(40403, "Schema " + parts[3] + " not found"));
      } else {
        respond(exchange, 200, json.createObjectNode().put("schema", schema.toString()));
      }
    } else if (method.equals("GET")
        && parts.length == 5
        && parts[1].equals("subjects")
        && parts[4].equals("latest")) {
      List<Integer> versions = versionsBySubject.get(parts[2]);
      if (versions == null) {
        respond(exchange, 404, error(40401, "Subject not found"));
      } else {
        respond(
            exchange, 200, describe(parts[2], versions.get(versions.size() - 1), versions.size()));
      }
    } else if (method.equals("POST") && parts.length == 6 && parts[1].equals("compatibility")) {
      List<Integer> versions = versionsBySubject.get(parts[3]);
      if (versions == null) {
        respond(exchange, 404, error(40401, "Subject not found"));
        return;
      }
      Schema latest = schemasById.get(versions.get(versions.size() - 1));
      boolean compatible =
          SchemaCompatibility.checkReaderWriterCompatibility(schema(body), latest).getType()
              == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
      respond(exchange, 200, json.createObjectNode().put("is_compatible", compatible));
    } else if (method.equals("PUT") && parts.length == 3 && parts[1].equals("config")) {
      String level = json.readTree(body).get("compatibility").asText();
      compatibilityBySubject.put(parts[2], level);
      respond(exchange, 200, json.createObjectNode().put("compatibility", level));
    } else if (method.equals("GET") && parts.length == 3 && parts[1].equals("config")) {
      String level = compatibilityBySubject.get(parts[2]);
      if (level == null) {
        respond(
            exchange,
            404,
            error(40408, "Subject does not have subject-level compatibility configured"));
      } else {
        respond(exchange, 200, json.createObjectNode().put("compatibilityLevel", level));
      }
    } else if (method.equals("GET") && path.equals("/subjects")) {
      respond(exchange, 200, json.valueToTree(versionsBySubject.keySet()));
    } else {
      respond(exchange, 404, error(404, "No route " + method + " " + path));
    }
  }

  private Schema schema(byte[] body) throws IOException {
    return new Schema.Parser().parse(json.readTree(body).get("schema").asText());
  }

  private ObjectNode describe(String subject, int id, int version) {
    return json.createObjectNode()
        .put("subject", subject)
        .put("id", id)
        .put("version", version)
        .put("schema", schemasById.get(id).toString());
  }

  private ObjectNode error(int code, String message) {
    return json.createObjectNode().put("error_code", code).put("message", message);
  }

  private void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = json.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
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
