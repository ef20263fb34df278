package io.latentstream.schemas.serde;

import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.schemas.registry.TlsConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Settings of {@link AvroSerializer} and {@link AvroDeserializer} read from a Kafka client config
 * map, with the same keys as Confluent's serdes so existing configurations carry over. Unknown keys
 * (the rest of the client config) are ignored. Immutable.
 */
public final class AvroSerdeConfig extends AbstractConfig {

  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  public static final String USE_LATEST_VERSION = "use.latest.version";
  public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  public static final String SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
  public static final String SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
  public static final String SSL_KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
  public static final String SSL_KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
  public static final String SSL_KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
  public static final String SSL_KEY_PASSWORD = "schema.registry.ssl.key.password";
  public static final String MAX_RETRIES = "max.retries";
  public static final String RETRIES_WAIT_MS = "retries.wait.ms";
  public static final String RETRIES_MAX_WAIT_MS = "retries.max.wait.ms";
  public static final String HTTP_CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
  public static final String HTTP_READ_TIMEOUT_MS = "http.read.timeout.ms";
  public static final String SPECIFIC_AVRO_KEY_TYPE = "specific.avro.key.type";
  public static final String SPECIFIC_AVRO_VALUE_TYPE = "specific.avro.value.type";

  public static final String CREDENTIALS_SOURCE_URL = "URL";
  public static final String CREDENTIALS_SOURCE_USER_INFO = "USER_INFO";

  private static final ConfigDef CONFIG_DEF =
      new ConfigDef()
          .define(
              SCHEMA_REGISTRY_URL,
              Type.LIST,
              ConfigDef.NO_DEFAULT_VALUE,
              Importance.HIGH,
              "Comma-separated base URLs of the Confluent-compatible schema registry API, e.g. "
                  + "http://host:8080/apis/ccompat/v7 for Apicurio.")
          .define(
              AUTO_REGISTER_SCHEMAS,
              Type.BOOLEAN,
              true,
              Importance.MEDIUM,
              "Serializer: register the record's schema under <topic>-value (or -key) if needed. When false the schema "
                  + "must already be registered there.")
          .define(
              USE_LATEST_VERSION,
              Type.BOOLEAN,
              false,
              Importance.LOW,
              "Serializer: write with the subject's latest version instead of the record's own schema (which that "
                  + "version must be able to read). Implies no registration.")
          .define(
              BASIC_AUTH_CREDENTIALS_SOURCE,
              Type.STRING,
              CREDENTIALS_SOURCE_URL,
              ConfigDef.ValidString.in(CREDENTIALS_SOURCE_URL, CREDENTIALS_SOURCE_USER_INFO),
              Importance.MEDIUM,
              "Where basic-auth credentials come from: URL (user:password@ in the registry URL) or USER_INFO ("
                  + BASIC_AUTH_USER_INFO
                  + ").")
          .define(
              BASIC_AUTH_USER_INFO,
              Type.PASSWORD,
              null,
              Importance.MEDIUM,
              "user:password for basic auth when " + BASIC_AUTH_CREDENTIALS_SOURCE + "=USER_INFO.")
          .define(
              SSL_TRUSTSTORE_LOCATION,
              Type.STRING,
              null,
              Importance.MEDIUM,
              "Truststore for https registry URLs; JDK default CAs when unset.")
          .define(
              SSL_TRUSTSTORE_PASSWORD,
              Type.PASSWORD,
              null,
              Importance.MEDIUM,
              "Truststore password.")
          .define(
              SSL_TRUSTSTORE_TYPE,
              Type.STRING,
              "PKCS12",
              Importance.LOW,
              "Truststore type (PKCS12, JKS).")
          .define(
              SSL_KEYSTORE_LOCATION,
              Type.STRING,
              null,
              Importance.MEDIUM,
              "Keystore with the client certificate for mutual TLS; none when unset.")
          .define(
              SSL_KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM, "Keystore password.")
          .define(
              SSL_KEYSTORE_TYPE,
              Type.STRING,
              "PKCS12",
              Importance.LOW,
              "Keystore type (PKCS12, JKS).")
          .define(
              SSL_KEY_PASSWORD,
              Type.PASSWORD,
              null,
              Importance.LOW,
              "Password of the private key; the keystore password when unset.")
          .define(
              MAX_RETRIES,
              Type.INT,
              SchemaRegistryConfig.DEFAULT_MAX_ATTEMPTS - 1,
              ConfigDef.Range.atLeast(0),
              Importance.LOW,
              "Retries of a registry call after a connection error, 5xx or 429.")
          .define(
              RETRIES_WAIT_MS,
              Type.LONG,
              SchemaRegistryConfig.DEFAULT_INITIAL_BACKOFF.toMillis(),
              ConfigDef.Range.atLeast(0),
              Importance.LOW,
              "Wait before the first retry; doubles per retry.")
          .define(
              RETRIES_MAX_WAIT_MS,
              Type.LONG,
              SchemaRegistryConfig.DEFAULT_MAX_BACKOFF.toMillis(),
              ConfigDef.Range.atLeast(0),
              Importance.LOW,
              "Upper bound of the wait between retries.")
          .define(
              HTTP_CONNECT_TIMEOUT_MS,
              Type.INT,
              (int) SchemaRegistryConfig.DEFAULT_CONNECT_TIMEOUT.toMillis(),
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "Registry connect timeout.")
          .define(
              HTTP_READ_TIMEOUT_MS,
              Type.INT,
              (int) SchemaRegistryConfig.DEFAULT_REQUEST_TIMEOUT.toMillis(),
              ConfigDef.Range.atLeast(1),
              Importance.LOW,
              "Registry request timeout, response included.")
          .define(
              SPECIFIC_AVRO_KEY_TYPE,
              Type.CLASS,
              null,
              Importance.MEDIUM,
              "Deserializer of keys: the generated SpecificRecord class to read into.")
          .define(
              SPECIFIC_AVRO_VALUE_TYPE,
              Type.CLASS,
              null,
              Importance.MEDIUM,
              "Deserializer of values: the generated SpecificRecord class to read into.");

  public AvroSerdeConfig(Map<String, ?> configs) {
    super(CONFIG_DEF, configs, false);
  }

  /** The definitions, for documentation. */
  public static ConfigDef configDef() {
    return new ConfigDef(CONFIG_DEF);
  }

  public boolean autoRegisterSchemas() {
    return getBoolean(AUTO_REGISTER_SCHEMAS);
  }

  public boolean useLatestVersion() {
    return getBoolean(USE_LATEST_VERSION);
  }

  /** The class configured for keys or values, if any. */
  public Optional<Class<?>> specificType(boolean isKey) {
    return Optional.ofNullable(getClass(isKey ? SPECIFIC_AVRO_KEY_TYPE : SPECIFIC_AVRO_VALUE_TYPE));
  }

  /** The registry client settings these keys describe. */
  public SchemaRegistryConfig registryConfig() {
    List<String> urls = getList(SCHEMA_REGISTRY_URL);
    if (urls.isEmpty()) {
      throw new ConfigException(
          SCHEMA_REGISTRY_URL, urls, "At least one schema registry URL is required");
    }
    Optional<String> userInfo = Optional.empty();
    StringBuilder cleanUrls = new StringBuilder();
    for (String url : urls) {
      URI uri = URI.create(url.trim());
      if (uri.getRawUserInfo() != null) {
        if (CREDENTIALS_SOURCE_URL.equals(getString(BASIC_AUTH_CREDENTIALS_SOURCE))) {
          userInfo = Optional.of(uri.getUserInfo());
        }
        // never send credentials inside the URL itself
        uri =
            URI.create(
                uri.getScheme()
                    + "://"
                    + uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1)
                    + (uri.getRawPath() == null ? "" : uri.getRawPath()));
      }
      cleanUrls.append(cleanUrls.length() == 0 ? "" : ",").append(uri);
    }
    if (CREDENTIALS_SOURCE_USER_INFO.equals(getString(BASIC_AUTH_CREDENTIALS_SOURCE))) {
      Password info = getPassword(BASIC_AUTH_USER_INFO);
      if (info == null || !info.value().contains(":")) {
        throw new ConfigException(
            BASIC_AUTH_USER_INFO,
            "[hidden]",
            "Must be user:password when " + BASIC_AUTH_CREDENTIALS_SOURCE + "=USER_INFO");
      }
      userInfo = Optional.of(info.value());
    }
    SchemaRegistryConfig config =
        SchemaRegistryConfig.of(cleanUrls.toString())
            .withTimeouts(
                Duration.ofMillis(getInt(HTTP_CONNECT_TIMEOUT_MS)),
                Duration.ofMillis(getInt(HTTP_READ_TIMEOUT_MS)))
            .withRetries(
                getInt(MAX_RETRIES) + 1,
                Duration.ofMillis(getLong(RETRIES_WAIT_MS)),
                Duration.ofMillis(getLong(RETRIES_MAX_WAIT_MS)));
    if (userInfo.isPresent()) {
      config = config.withBasicAuth(userInfo.get());
    }
    Optional<TlsConfig.Store> truststore =
        store(SSL_TRUSTSTORE_LOCATION, SSL_TRUSTSTORE_PASSWORD, SSL_TRUSTSTORE_TYPE);
    Optional<TlsConfig.Store> keystore =
        store(SSL_KEYSTORE_LOCATION, SSL_KEYSTORE_PASSWORD, SSL_KEYSTORE_TYPE);
    if (truststore.isPresent() || keystore.isPresent()) {
      config =
          config.withTls(
              new TlsConfig(
                  truststore,
                  keystore,
                  Optional.ofNullable(getPassword(SSL_KEY_PASSWORD)).map(Password::value)));
    }
    return config;
  }

  private Optional<TlsConfig.Store> store(String locationKey, String passwordKey, String typeKey) {
    String location = getString(locationKey);
    if (location == null || location.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(
        new TlsConfig.Store(
            Path.of(location),
            Optional.ofNullable(getPassword(passwordKey)).map(Password::value),
            getString(typeKey)));
  }
}
