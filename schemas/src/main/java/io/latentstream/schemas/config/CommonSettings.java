package io.latentstream.schemas.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The settings every latentstream service shares, defined once: the key names and defaults of the
 * Kafka cluster, the schema registry, the topics the services exchange records on and the HTTP
 * endpoints, the rule that an HTTP server reachable beyond loopback needs a token, and the
 * configuration table the services print.
 *
 * <p>A service defines these keys in its own {@link ConfigDef} with its own description (what a
 * topic means to it), but always under these names and with these defaults, so the streams app and
 * the trainer agree on where to meet.
 */
public final class CommonSettings {

  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
  private static final String BOOTSTRAP_SERVERS_DOC =
      "Kafka bootstrap servers (host:port, comma separated).";

  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String DEFAULT_SCHEMA_REGISTRY_URL = "http://127.0.0.1:8081/apis/ccompat/v7";
  private static final String SCHEMA_REGISTRY_URL_DOC =
      "Base URL of a schema registry speaking the Confluent REST API.";

  /** Raw frames the streams app samples for retraining; the trainer reads them. */
  public static final String TOPIC_SAMPLE = "topic.sample";

  public static final String DEFAULT_TOPIC_SAMPLE = "images.sample";

  /** Compacted topic of model releases: the trainer writes, the streams app follows. */
  public static final String TOPIC_RELEASES = "topic.releases";

  public static final String DEFAULT_TOPIC_RELEASES = "models.releases";
  private static final String TOPIC_RELEASES_DOC = "Compacted topic of ModelRelease records.";

  /** Compacted topic of model package chunks. */
  public static final String TOPIC_ARTIFACTS = "topic.artifacts";

  public static final String DEFAULT_TOPIC_ARTIFACTS = "models.artifacts";
  private static final String TOPIC_ARTIFACTS_DOC = "Compacted topic of model package chunks.";

  public static final String HTTP_BIND_ADDRESS = "http.bind.address";
  public static final String DEFAULT_HTTP_BIND_ADDRESS = "127.0.0.1";
  public static final String HTTP_PORT = "http.port";
  public static final String HTTP_AUTH_TOKEN = "http.auth.token";

  private CommonSettings() {}

  /**
   * Defines the keys every service reads the same way, first in its table: where the Kafka cluster
   * and the schema registry are, and the two compacted topics models are released on.
   *
   * @param modelTopics how much the model topics matter to this service (its table's column)
   * @return {@code definition}, for the service's own keys
   */
  public static ConfigDef defineShared(ConfigDef definition, Importance modelTopics) {
    return definition
        .define(
            BOOTSTRAP_SERVERS,
            Type.STRING,
            DEFAULT_BOOTSTRAP_SERVERS,
            Importance.HIGH,
            BOOTSTRAP_SERVERS_DOC)
        .define(
            SCHEMA_REGISTRY_URL,
            Type.STRING,
            DEFAULT_SCHEMA_REGISTRY_URL,
            Importance.HIGH,
            SCHEMA_REGISTRY_URL_DOC)
        .define(
            TOPIC_RELEASES, Type.STRING, DEFAULT_TOPIC_RELEASES, modelTopics, TOPIC_RELEASES_DOC)
        .define(
            TOPIC_ARTIFACTS,
            Type.STRING,
            DEFAULT_TOPIC_ARTIFACTS,
            modelTopics,
            TOPIC_ARTIFACTS_DOC);
  }

  /**
   * Refuses an HTTP bind address beyond loopback (a wildcard, a routable address or a name that
   * resolves to one) when no token is set. A name that does not resolve is let through: binding
   * fails with its own message.
   *
   * @param token the configured token, empty or null for none
   * @param exposure what anyone reaching the port could do, for the message
   * @throws ConfigException naming {@value #HTTP_AUTH_TOKEN}, {@value #HTTP_BIND_ADDRESS} and the
   *     address
   */
  public static void requireTokenBeyondLoopback(String bindAddress, String token, String exposure) {
    if (token != null && !token.isEmpty()) {
      return;
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(bindAddress);
    } catch (UnknownHostException e) {
      return;
    }
    if (!address.isLoopbackAddress()) {
      throw new ConfigException(
          HTTP_AUTH_TOKEN
              + " must be set when "
              + HTTP_BIND_ADDRESS
              + " is not a loopback address ("
              + bindAddress
              + "): "
              + exposure
              + ". Set "
              + LayeredSettings.ENV_PREFIX
              + "HTTP_AUTH_TOKEN (or "
              + HTTP_AUTH_TOKEN
              + " in the properties"
              + " file), or bind to 127.0.0.1.");
    }
  }

  /**
   * Markdown table of every key of the definition, its type, default and doc (the services'
   * configuration pages).
   */
  public static String markdownTable(ConfigDef definition) {
    StringBuilder sb =
        new StringBuilder("| key | type | default | description |\n|---|---|---|---|\n");
    for (ConfigDef.ConfigKey key : definition.configKeys().values()) {
      String def =
          key.defaultValue == null
              ? ""
              : key.type == Type.PASSWORD ? "(none)" : String.valueOf(key.defaultValue);
      sb.append("| `")
          .append(key.name)
          .append("` | ")
          .append(key.type.name().toLowerCase(Locale.ROOT))
          .append(" | `")
          .append(def)
          .append("` | ")
          .append(key.documentation.replace("|", "\\|"))
          .append(" |\n");
    }
    return sb.toString();
  }
}
