package io.latentstream.schemas.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The settings layering every latentstream service uses: defaults &lt; properties file &lt;
 * environment.
 *
 * <p>{@code LATENTSTREAM_FOO_BAR} in the environment sets our key {@code foo.bar}. Keys of the file
 * that the service's {@link ConfigDef} does not define, and every {@code KAFKA_FOO_BAR} variable
 * ({@code foo.bar}, winning over the file), pass through unchanged to the Kafka clients, so
 * security settings need no code. {@code KAFKA_BOOTSTRAP_SERVERS} also sets our {@code
 * bootstrap.servers} unless {@code LATENTSTREAM_BOOTSTRAP_SERVERS} is set.
 *
 * @param ours the values to validate against the service's {@link ConfigDef} (the pass-through keys
 *     included; an {@code AbstractConfig} ignores them)
 * @param kafka the pass-through settings for the Kafka clients
 */
public record LayeredSettings(Map<String, String> ours, Map<String, String> kafka) {

  /** Environment prefix of our keys. */
  public static final String ENV_PREFIX = "LATENTSTREAM_";

  /** Environment prefix of keys passed through to the Kafka clients. */
  public static final String KAFKA_ENV_PREFIX = "KAFKA_";

  private static final String BOOTSTRAP_SERVERS = "bootstrap.servers";

  public LayeredSettings {
    ours = Map.copyOf(ours);
    kafka = Map.copyOf(kafka);
  }

  /**
   * Reads the optional file and the environment.
   *
   * @throws ConfigException when the file does not exist or is not a file
   * @throws UncheckedIOException when it cannot be read
   */
  public static LayeredSettings load(ConfigDef definition, Path file, Map<String, String> env) {
    Map<String, String> merged = new HashMap<>();
    if (file != null) {
      merged.putAll(readProperties(file));
    }
    Map<String, String> kafkaEnv = new TreeMap<>();
    env.forEach(
        (name, value) -> {
          if (name.startsWith(ENV_PREFIX)) {
            merged.put(envToKey(name.substring(ENV_PREFIX.length())), value);
          } else if (name.startsWith(KAFKA_ENV_PREFIX)) {
            kafkaEnv.put(envToKey(name.substring(KAFKA_ENV_PREFIX.length())), value);
          }
        });
    Map<String, String> passThrough = passThrough(definition, merged);
    passThrough.putAll(kafkaEnv);
    if (kafkaEnv.containsKey(BOOTSTRAP_SERVERS)
        && !env.containsKey(ENV_PREFIX + "BOOTSTRAP_SERVERS")) {
      merged.put(BOOTSTRAP_SERVERS, kafkaEnv.get(BOOTSTRAP_SERVERS));
    }
    return new LayeredSettings(merged, passThrough);
  }

  /**
   * Settings from a plain map (tests, embedding); keys the definition lacks pass through to Kafka.
   */
  public static LayeredSettings of(ConfigDef definition, Map<String, ?> values) {
    Map<String, String> merged = new HashMap<>();
    values.forEach((k, v) -> merged.put(k, String.valueOf(v)));
    return new LayeredSettings(merged, passThrough(definition, merged));
  }

  /** {@code FOO_BAR_BAZ} → {@code foo.bar.baz}. */
  public static String envToKey(String suffix) {
    return suffix.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  private static Map<String, String> passThrough(ConfigDef definition, Map<String, String> merged) {
    Map<String, String> out = new TreeMap<>();
    merged.forEach(
        (k, v) -> {
          if (!definition.names().contains(k)) {
            out.put(k, v);
          }
        });
    return out;
  }

  private static Map<String, String> readProperties(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(
          "config file " + file.toAbsolutePath() + " does not exist or is not a file");
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read config file " + file.toAbsolutePath(), e);
    }
    Map<String, String> out = new HashMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k).trim()));
    return out;
  }
}
