package io.latentstream.trainer.service;

import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.ModelStatus;
import io.latentstream.schemas.artifacts.ModelArtifactPublisher;
import io.latentstream.schemas.artifacts.ReleaseSignature;
import io.latentstream.schemas.files.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes promoted packages and rollbacks over Kafka with {@link ModelArtifactPublisher} (chunks,
 * then the signed PROMOTED release, in one transaction), and keeps a copy of every published
 * package in the models directory so a later rollback finds it without the artifacts topic. A fresh
 * transactional producer per publication: publications are rare, and a producer broken by an
 * unreachable broker never outlives the attempt.
 *
 * <p>Thread-safe (publications are serialized). Does not close the serializer.
 */
public final class ReleasePublisher {
  private static final Logger LOG = LoggerFactory.getLogger(ReleasePublisher.class);

  private final TrainerServiceConfig config;
  private final Serializer<ModelRelease> serializer;
  private final PrivateKey signingKey;
  private final Path modelsDir;

  public ReleasePublisher(
      TrainerServiceConfig config, Serializer<ModelRelease> serializer, PrivateKey signingKey) {
    this.config = config;
    this.serializer = serializer;
    this.signingKey = signingKey;
    this.modelsDir = Path.of(config.getString(TrainerServiceConfig.MODELS_DIR));
  }

  /**
   * The signing key of a configuration.
   *
   * @return null when none is configured and unsigned releases are allowed
   * @throws ConfigException when none is configured and unsigned releases are not allowed, or the
   *     file is bad
   */
  public static PrivateKey signingKey(TrainerServiceConfig config) {
    String file = config.getString(TrainerServiceConfig.SIGNING_PRIVATE_KEY_FILE);
    if (file.isBlank()) {
      if (config.getBoolean(TrainerServiceConfig.SIGNING_ALLOW_UNSIGNED)) {
        LOG.warn(
            "no {}: releases will be unsigned ({}=true)",
            TrainerServiceConfig.SIGNING_PRIVATE_KEY_FILE,
            TrainerServiceConfig.SIGNING_ALLOW_UNSIGNED);
        return null;
      }
      throw new ConfigException(
          TrainerServiceConfig.SIGNING_PRIVATE_KEY_FILE,
          "",
          "a signing key is required (./latentstream trainer keygen --out FILE writes a key pair), or set "
              + TrainerServiceConfig.SIGNING_ALLOW_UNSIGNED
              + "=true for a local demo");
    }
    try {
      return ReleaseSignature.privateKey(Files.readString(Path.of(file)));
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException(
          TrainerServiceConfig.SIGNING_PRIVATE_KEY_FILE, file, e.getMessage());
    }
  }

  /**
   * The public key that releases read back (champion, rollback) must verify against: the configured
   * file, else the {@code .pub} next to the private key, else null (then releases read back are
   * trusted only with {@code signing.allow.unsigned=true}).
   */
  public static PublicKey verifyKey(TrainerServiceConfig config) {
    String file = config.getString(TrainerServiceConfig.RELEASE_PUBLIC_KEY_FILE);
    String priv = config.getString(TrainerServiceConfig.SIGNING_PRIVATE_KEY_FILE);
    Path path = !file.isBlank() ? Path.of(file) : priv.isBlank() ? null : Path.of(priv + ".pub");
    if (path == null || (file.isBlank() && !Files.isRegularFile(path))) {
      return null;
    }
    try {
      return ReleaseSignature.publicKey(Files.readString(path));
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException(
          TrainerServiceConfig.RELEASE_PUBLIC_KEY_FILE, path.toString(), e.getMessage());
    }
  }

  /**
   * Publishes a package as the current release and keeps a copy in the models directory.
   *
   * @throws org.apache.kafka.common.KafkaException when publishing fails (nothing becomes visible)
   */
  public synchronized ModelRelease publish(Path packageDir, ModelRelease.Builder release)
      throws IOException {
    release.setStatus(ModelStatus.PROMOTED);
    ModelRelease published;
    try (ModelArtifactPublisher publisher = artifactPublisher()) {
      published = publisher.publish(packageDir, release);
    }
    keepCopy(packageDir);
    return published;
  }

  /**
   * Deletes a version from {@code models.artifacts} and {@code models.releases} in one transaction
   * (tombstones for its chunks and for the release keys given, see {@link
   * ModelArtifactPublisher#deleteVersion}).
   */
  public synchronized void deleteVersion(
      String version, int chunkCount, java.util.Collection<String> releaseKeys) {
    try (ModelArtifactPublisher publisher = artifactPublisher()) {
      publisher.deleteVersion(version, chunkCount, releaseKeys);
    }
  }

  /** A transactional publisher to the model topics (one per operation: it is rarely needed). */
  private ModelArtifactPublisher artifactPublisher() {
    return new ModelArtifactPublisher(
        producerConfig(),
        serializer,
        config.getString(TrainerServiceConfig.TOPIC_ARTIFACTS),
        config.getString(TrainerServiceConfig.TOPIC_RELEASES),
        config.getInt(TrainerServiceConfig.ARTIFACT_CHUNK_BYTES),
        signingKey);
  }

  private Map<String, Object> producerConfig() {
    Map<String, Object> p = config.kafkaClientConfig(ProducerConfig.configNames());
    // an unreachable broker must fail the attempt within a run, not hang it for minutes
    p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
    return p;
  }

  private void keepCopy(Path packageDir) throws IOException {
    Path target = modelsDir.resolve(packageDir.getFileName().toString());
    if (Files.exists(target)
        || packageDir.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
      return;
    }
    Files.createDirectories(modelsDir);
    Path staging = Files.createTempDirectory(modelsDir, ".staging-");
    try {
      Path copy = staging.resolve(packageDir.getFileName().toString());
      try (var walk = Files.walk(packageDir)) {
        for (Path p : (Iterable<Path>) walk::iterator) {
          Path out = copy.resolve(packageDir.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(out);
          } else {
            Files.copy(p, out);
          }
        }
      }
      Files.move(copy, target);
    } catch (IOException e) {
      throw new UncheckedIOException("published, but cannot keep a copy in " + modelsDir, e);
    } finally {
      FileTrees.deleteQuietly(staging);
    }
  }
}
