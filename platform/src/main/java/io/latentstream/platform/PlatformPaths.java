package io.latentstream.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where the build left the pieces that run as child JVMs: the Kafka broker jars ({@code
 * platform/target/kafka-lib}) and the unpacked Apicurio Registry ({@code
 * platform/target/apicurio}).
 *
 * <p>Each directory comes from its own system property ({@value #KAFKA_LIB_PROPERTY}, {@value
 * #APICURIO_DIR_PROPERTY}, set by our surefire/failsafe configuration), else from the project root:
 * system property {@value #HOME_PROPERTY}, environment variable {@value #HOME_ENV}, system property
 * {@value #ROOT_PROPERTY}, then the working directory. Directories are checked only when asked for,
 * so a test that needs only the registry does not need the broker jars. Immutable and thread-safe.
 */
public final class PlatformPaths {
  public static final String KAFKA_LIB_PROPERTY = "latentstream.kafka.lib";
  public static final String APICURIO_DIR_PROPERTY = "latentstream.apicurio.dir";
  public static final String HOME_PROPERTY = "latentstream.home";
  public static final String HOME_ENV = "LATENTSTREAM_HOME";
  public static final String ROOT_PROPERTY = "latentstream.root";

  static final String APICURIO_RUNNER = "apicurio-registry-app-2.6.13.Final-runner.jar";
  private static final String BUILD_HINT =
      "build it first: `mvn -q -DskipTests package` in the project root, "
          + "or point "
          + HOME_ENV
          + " at the project root";

  private final Path home;
  private final Path kafkaLib;
  private final Path apicurioDir;

  private PlatformPaths(Path home, Path kafkaLib, Path apicurioDir) {
    this.home = home;
    this.kafkaLib = kafkaLib;
    this.apicurioDir = apicurioDir;
  }

  /** Resolves from this JVM's system properties and environment. */
  public static PlatformPaths resolve() {
    return resolve(Map.copyOf(toStringMap(System.getProperties())), System.getenv());
  }

  /** Resolves from the given system properties and environment (visible for tests). */
  static PlatformPaths resolve(Map<String, String> properties, Map<String, String> env) {
    Path home =
        firstPresent(
            properties.get(HOME_PROPERTY),
            env.get(HOME_ENV),
            properties.get(ROOT_PROPERTY),
            properties.getOrDefault("user.dir", "."));
    Path kafkaLib =
        firstPresent(
            properties.get(KAFKA_LIB_PROPERTY),
            home.resolve("platform/target/kafka-lib").toString());
    Path apicurio =
        firstPresent(
            properties.get(APICURIO_DIR_PROPERTY),
            home.resolve("platform/target/apicurio").toString());
    return new PlatformPaths(home, kafkaLib, apicurio);
  }

  /** The project root, used for default data directories. Not checked. */
  public Path home() {
    return home;
  }

  /**
   * The jars of the Kafka broker runtime.
   *
   * @throws IllegalStateException when the directory is missing or holds no jar
   */
  public List<Path> kafkaJars() {
    if (!Files.isDirectory(kafkaLib)) {
      throw new IllegalStateException(
          "Kafka broker jars not found in " + kafkaLib + "; " + BUILD_HINT);
    }
    try (Stream<Path> files = Files.list(kafkaLib)) {
      List<Path> jars =
          files
              .filter(p -> p.getFileName().toString().endsWith(".jar"))
              .sorted()
              .collect(Collectors.toList());
      if (jars.stream().noneMatch(p -> p.getFileName().toString().startsWith("kafka_2.13-"))) {
        throw new IllegalStateException("no kafka_2.13 jar in " + kafkaLib + "; " + BUILD_HINT);
      }
      return jars;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The Apicurio Registry runner jar (its manifest's {@code Class-Path} pulls in {@code lib/}).
   *
   * @throws IllegalStateException when it is missing
   */
  public Path apicurioRunnerJar() {
    Path jar = apicurioDir.resolve(APICURIO_RUNNER);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("Apicurio Registry not found at " + jar + "; " + BUILD_HINT);
    }
    return jar;
  }

  /** The {@code Main-Class} of a jar's manifest. */
  static String mainClassOf(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      String main =
          file.getManifest() == null
              ? null
              : file.getManifest().getMainAttributes().getValue("Main-Class");
      if (main == null) {
        throw new IllegalStateException(jar + " has no Main-Class in its manifest");
      }
      return main;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + jar, e);
    }
  }

  private static Path firstPresent(String... candidates) {
    for (String candidate : candidates) {
      if (candidate != null && !candidate.isBlank()) {
        return Path.of(candidate).toAbsolutePath().normalize();
      }
    }
    throw new IllegalArgumentException("no candidate");
  }

  private static Map<String, String> toStringMap(java.util.Properties properties) {
    return properties.stringPropertyNames().stream()
        .collect(Collectors.toMap(k -> k, properties::getProperty));
  }

  @Override
  public String toString() {
    return "PlatformPaths[home="
        + home
        + ", kafkaLib="
        + kafkaLib
        + ", apicurio="
        + apicurioDir
        + "]";
  }
}
