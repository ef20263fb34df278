package io.latentstream.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client of the Confluent Schema Registry REST API (Avro schemas), over {@link HttpClient}. Works
 * against any server that speaks the API: Confluent Schema Registry, Apicurio's {@code
 * /apis/ccompat/v7}, Karapace, Redpanda.
 *
 * <p>Ids of (subject, schema) pairs and schemas by id are cached for the life of the client: both
 * are immutable on the server, and the number of schemas an application uses is small, so the
 * caches are not bounded. Latest versions, compatibility checks and compatibility levels are never
 * cached.
 *
 * <p>Connection errors, 5xx and 429 are retried with exponential backoff up to {@link
 * SchemaRegistryConfig#maxAttempts()}, rotating through the configured URLs, then {@link
 * RegistryUnavailableException} is thrown. Other 4xx responses fail at once with a typed {@link
 * SchemaRegistryException}, as do TLS failures (an untrusted certificate is a configuration error).
 *
 * <p>Redirects (301, 302, 303, 307, 308; at most {@value #MAX_REDIRECTS}) are followed, but the
 * basic-auth credentials go only to the origin (scheme, host and port) they were configured for: a
 * registry, proxy or load balancer that sends the client elsewhere does not get them forwarded to
 * whatever host it names. A redirect from HTTPS to plain HTTP is not followed.
 *
 * <p>Thread-safe: share one instance. It holds no resources that need closing (the JDK HTTP
 * client's threads end when it becomes unreachable).
 */
public final class SchemaRegistryClient {

  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";
  private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);

  /** Redirects followed per request. */
  static final int MAX_REDIRECTS = 5;

  /** What a 404 without a recognised error code means for the call that got it. */
  private enum Missing {
    SUBJECT,
    SCHEMA,
    OTHER
  }

  private record SubjectSchema(String subject, Schema schema) {}

  private final SchemaRegistryConfig config;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();
  private final Optional<String> authorization;
  private final ConcurrentMap<SubjectSchema, Integer> idsBySubjectSchema =
      new ConcurrentHashMap<>();
  private final ConcurrentMap<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  /** Index of the URL that answered last, so a dead first URL is not retried on every call. */
  private final AtomicInteger preferredUrl = new AtomicInteger();

  public SchemaRegistryClient(SchemaRegistryConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .connectTimeout(config.connectTimeout())
            .followRedirects(
                HttpClient.Redirect.NEVER); // followed here, so credentials stay with their origin
    config.tls().ifPresent(tls -> builder.sslContext(tls.toSslContext()));
    this.http = builder.build();
    this.authorization =
        config
            .basicAuthUserInfo()
            .map(
                info ->
                    "Basic "
                        + Base64.getEncoder()
                            .encodeToString(info.getBytes(StandardCharsets.UTF_8)));
  }

  /** The settings this client was built with. */
  public SchemaRegistryConfig config() {
    return config;
  }

  /**
   * Registers the schema under the subject (a no-op on the server if it is already registered
   * there).
   *
   * @return the schema's id
   * @throws IncompatibleSchemaException if the subject's compatibility level rejects it
   * @throws InvalidSchemaException if the server cannot parse it
   */
  public int register(String subject, Schema schema) {
    return schemaId(subject, schema, "/versions", Missing.SUBJECT);
  }

  /**
   * Looks up the id of a schema already registered under the subject.
   *
   * @throws SubjectNotFoundException if the subject does not exist
   * @throws SchemaNotFoundException if the subject exists but this schema is not one of its
   *     versions
   */
  public int lookup(String subject, Schema schema) {
    return schemaId(subject, schema, "", Missing.SCHEMA);
  }

  /**
   * The id of the schema under the subject: remembered, or what a POST of the schema to the
   * subject's path (plus {@code suffix}) answers.
   */
  private int schemaId(String subject, Schema schema, String suffix, Missing missing) {
    SubjectSchema key =
        new SubjectSchema(requireSubject(subject), Objects.requireNonNull(schema, "schema"));
    Integer cached = idsBySubjectSchema.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode response =
        send("POST", "/subjects/" + encode(subject) + suffix, schemaBody(schema), missing);
    int id = requiredInt(response, "id");
    remember(key, id);
    return id;
  }

  /**
   * The schema with this id.
   *
   * @throws SchemaNotFoundException if no schema has this id
   */
  public Schema getById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode response = send("GET", "/schemas/ids/" + id, null, Missing.SCHEMA);
    Schema schema = parseSchema(response, "id " + id);
    Schema previous = schemasById.putIfAbsent(id, schema);
    return previous != null ? previous : schema;
  }

  /**
   * The latest version registered under the subject.
   *
   * @throws SubjectNotFoundException if the subject does not exist
   */
  public RegisteredSchema getLatest(String subject) {
    JsonNode response =
        send(
            "GET",
            "/subjects/" + encode(requireSubject(subject)) + "/versions/latest",
            null,
            Missing.SUBJECT);
    int id = requiredInt(response, "id");
    Schema schema = parseSchema(response, "subject " + subject);
    schemasById.putIfAbsent(id, schema);
    return new RegisteredSchema(subject, id, requiredInt(response, "version"), schema);
  }

  /** All subjects the registry knows. */
  public List<String> subjects() {
    JsonNode response = send("GET", "/subjects", null, Missing.OTHER);
    List<String> subjects = new ArrayList<>();
    response.forEach(node -> subjects.add(node.asText()));
    return subjects;
  }

  /**
   * Whether the schema could be registered as the next version of the subject under its
   * compatibility level.
   *
   * @throws SubjectNotFoundException if the server requires the subject to exist and it does not
   */
  public boolean testCompatibility(String subject, Schema schema) {
    JsonNode response =
        send(
            "POST",
            "/compatibility/subjects/" + encode(requireSubject(subject)) + "/versions/latest",
            schemaBody(Objects.requireNonNull(schema, "schema")),
            Missing.SUBJECT);
    JsonNode compatible = response.get("is_compatible");
    if (compatible == null || !compatible.isBoolean()) {
      throw new SchemaRegistryException(
          "Registry answered a compatibility check without 'is_compatible': " + response,
          200,
          SchemaRegistryException.NO_ERROR_CODE);
    }
    return compatible.booleanValue();
  }

  /** Sets the subject's compatibility level; returns the level the server reports. */
  public CompatibilityLevel setCompatibility(String subject, CompatibilityLevel level) {
    ObjectNode body =
        json.createObjectNode().put("compatibility", Objects.requireNonNull(level, "level").name());
    JsonNode response =
        send("PUT", "/config/" + encode(requireSubject(subject)), body, Missing.SUBJECT);
    return parseLevel(response).orElse(level);
  }

  /**
   * The subject's own compatibility level, or empty if it has none (the global default then
   * applies).
   */
  public Optional<CompatibilityLevel> getCompatibility(String subject) {
    try {
      return parseLevel(
          send("GET", "/config/" + encode(requireSubject(subject)), null, Missing.SUBJECT));
    } catch (SubjectNotFoundException e) {
      return Optional.empty();
    } catch (SchemaRegistryException e) {
      // Confluent answers 40408 "subject has no compatibility level"
      if (e.httpStatus() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private void remember(SubjectSchema key, int id) {
    idsBySubjectSchema.putIfAbsent(key, id);
    schemasById.putIfAbsent(id, key.schema());
  }

  private ObjectNode schemaBody(Schema schema) {
    return json.createObjectNode().put("schema", schema.toString());
  }

  private Optional<CompatibilityLevel> parseLevel(JsonNode response) {
    for (String field : List.of("compatibilityLevel", "compatibility")) {
      JsonNode node = response.get(field);
      if (node != null && node.isTextual()) {
        try {
          return Optional.of(CompatibilityLevel.valueOf(node.asText().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new SchemaRegistryException(
              "Unknown compatibility level from registry: " + node.asText(),
              200,
              SchemaRegistryException.NO_ERROR_CODE);
        }
      }
    }
    return Optional.empty();
  }

  private Schema parseSchema(JsonNode response, String what) {
    JsonNode type = response.get("schemaType");
    if (type != null && type.isTextual() && !"AVRO".equalsIgnoreCase(type.asText())) {
      throw new SchemaRegistryException(
          "Schema for " + what + " is of type " + type.asText() + ", not AVRO",
          200,
          SchemaRegistryException.NO_ERROR_CODE);
    }
    JsonNode text = response.get("schema");
    if (text == null || !text.isTextual()) {
      throw new SchemaRegistryException(
          "Registry response for " + what + " has no 'schema': " + response,
          200,
          SchemaRegistryException.NO_ERROR_CODE);
    }
    try {
      return new Schema.Parser().parse(text.asText());
    } catch (SchemaParseException e) {
      throw new SchemaRegistryException(
          "Schema for " + what + " is not a self-contained Avro schema: " + e.getMessage(),
          200,
          SchemaRegistryException.NO_ERROR_CODE,
          e);
    }
  }

  private static int requiredInt(JsonNode response, String field) {
    JsonNode node = response.get(field);
    if (node == null || !node.canConvertToInt()) {
      throw new SchemaRegistryException(
          "Registry response has no integer '" + field + "': " + response,
          200,
          SchemaRegistryException.NO_ERROR_CODE);
    }
    return node.intValue();
  }

  private static String requireSubject(String subject) {
    if (subject == null || subject.isBlank()) {
      throw new IllegalArgumentException("Subject must not be blank");
    }
    return subject;
  }

  private static String encode(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonNode send(String method, String path, JsonNode body, Missing missing) {
    byte[] payload;
    try {
      payload = body == null ? null : json.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot serialize request body", e);
    }
    List<URI> urls = config.urls();
    int start = preferredUrl.get();
    int lastStatus = SchemaRegistryException.NO_STATUS;
    Exception lastFailure = null;
    for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
      if (attempt > 1) {
        pause(config.backoffBeforeRetry(attempt - 1), method, path, lastStatus, lastFailure);
      }
      int urlIndex = (start + attempt - 1) % urls.size();
      URI uri = URI.create(urls.get(urlIndex) + path);
      HttpResponse<byte[]> response;
      try {
        response = exchange(uri, method, payload);
      } catch (SSLException e) {
        // a certificate or protocol mismatch is configuration, not an outage: retrying cannot help
        throw new SchemaRegistryException(
            "TLS with schema registry "
                + uri
                + " failed (check the truststore/keystore"
                + " settings): "
                + e,
            SchemaRegistryException.NO_STATUS,
            SchemaRegistryException.NO_ERROR_CODE,
            e);
      } catch (IOException e) {
        LOG.debug(
            "Schema registry {} {} attempt {} failed: {}", method, uri, attempt, e.toString());
        lastStatus = SchemaRegistryException.NO_STATUS;
        lastFailure = e;
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryUnavailableException(
            "Interrupted while calling the schema registry " + method + " " + uri, lastStatus, e);
      }
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        preferredUrl.set(urlIndex);
        return parseBody(response.body(), method, uri);
      }
      SchemaRegistryException error = toException(status, response.body(), method, uri, missing);
      if (status >= 500 || status == 429) {
        LOG.debug("Schema registry {} {} attempt {} got {}", method, uri, attempt, status);
        lastStatus = status;
        lastFailure = error;
        continue;
      }
      throw error;
    }
    throw new RegistryUnavailableException(
        "Schema registry "
            + urls
            + " unavailable for "
            + method
            + " "
            + path
            + " after "
            + config.maxAttempts()
            + " attempt(s); last failure: "
            + lastFailure,
        lastStatus,
        lastFailure);
  }

  /**
   * One request, following redirects; the {@code Authorization} header goes only to the configured
   * origin.
   *
   * @return the final response (a redirect that cannot be followed is returned as it is: an error
   *     for the caller)
   */
  private HttpResponse<byte[]> exchange(URI uri, String method, byte[] payload)
      throws IOException, InterruptedException {
    URI origin = uri;
    URI target = uri;
    String verb = method;
    byte[] body = payload;
    for (int hop = 0; ; hop++) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(target).timeout(config.requestTimeout()).header("Accept", ACCEPT);
      if (sameOrigin(origin, target)) {
        authorization.ifPresent(value -> request.header("Authorization", value));
      }
      if (body != null) {
        request
            .header("Content-Type", CONTENT_TYPE)
            .method(verb, HttpRequest.BodyPublishers.ofByteArray(body));
      } else {
        request.method(verb, HttpRequest.BodyPublishers.noBody());
      }
      HttpResponse<byte[]> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      int status = response.statusCode();
      boolean redirect =
          status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
      Optional<String> location = response.headers().firstValue("Location");
      if (!redirect || location.isEmpty() || hop >= MAX_REDIRECTS) {
        return response;
      }
      URI next;
      try {
        next = target.resolve(location.get());
      } catch (IllegalArgumentException e) {
        return response;
      }
      if (next.getScheme() == null
          || next.getHost() == null
          || !(next.getScheme().equalsIgnoreCase("http")
              || next.getScheme().equalsIgnoreCase("https"))
          || target.getScheme().equalsIgnoreCase("https")
              && next.getScheme().equalsIgnoreCase("http")) {
        LOG.warn("Schema registry {} {} redirected to {}: not followed", verb, target, next);
        return response;
      }
      if (!sameOrigin(origin, next) && authorization.isPresent()) {
        LOG.debug(
            "Schema registry {} redirected to another origin {}: credentials not sent there",
            target,
            next);
      }
      if (status == 303 || (status == 301 || status == 302) && verb.equals("POST")) {
        verb = "GET"; // what browsers and the JDK do: the body is not sent on
        body = null;
      }
      target = next;
    }
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI uri) {
    return uri.getPort() != -1
        ? uri.getPort()
        : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }

  private void pause(
      Duration backoff, String method, String path, int lastStatus, Exception lastFailure) {
    try {
      Thread.sleep(backoff.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      RegistryUnavailableException failure =
          new RegistryUnavailableException(
              "Interrupted while waiting to retry schema registry " + method + " " + path,
              lastStatus,
              e);
      if (lastFailure != null) {
        failure.addSuppressed(lastFailure);
      }
      throw failure;
    }
  }

  private JsonNode parseBody(byte[] body, String method, URI uri) {
    try {
      return json.readTree(body);
    } catch (IOException e) {
      throw new SchemaRegistryException(
          "Unparsable JSON from schema registry " + method + " " + uri + ": " + e.getMessage(),
          200,
          SchemaRegistryException.NO_ERROR_CODE,
          e);
    }
  }

  private SchemaRegistryException toException(
      int status, byte[] body, String method, URI uri, Missing missing) {
    int code = SchemaRegistryException.NO_ERROR_CODE;
    String serverMessage = new String(body, StandardCharsets.UTF_8);
    try {
      JsonNode node = json.readTree(body);
      if (node != null && node.isObject()) {
        JsonNode codeNode = node.get("error_code");
        if (codeNode != null && codeNode.canConvertToInt()) {
          code = codeNode.intValue();
        }
        JsonNode messageNode = node.get("message");
        if (messageNode != null && messageNode.isTextual()) {
          serverMessage = messageNode.asText();
        }
      }
    } catch (IOException e) {
      // not JSON (a proxy's HTML page, say): keep the raw text as the message
    }
    String message =
        "Schema registry "
            + method
            + " "
            + uri
            + " failed: HTTP "
            + status
            + (code != SchemaRegistryException.NO_ERROR_CODE ? " error " + code : "")
            + ": "
            + serverMessage;
    if (status == 409) {
      return new IncompatibleSchemaException(message, status, code);
    }
    if (status == 422) {
      return new InvalidSchemaException(message, status, code);
    }
    if (status == 404) {
      if (code == 40401) {
        return new SubjectNotFoundException(message, status, code);
      }
      if (code == 40403) {
        return new SchemaNotFoundException(message, status, code);
      }
      if (code == SchemaRegistryException.NO_ERROR_CODE || code == 404) {
        switch (missing) {
          case SUBJECT:
            return new SubjectNotFoundException(message, status, code);
          case SCHEMA:
            return new SchemaNotFoundException(message, status, code);
          default:
            break;
        }
      }
    }
    return new SchemaRegistryException(message, status, code);
  }
}
