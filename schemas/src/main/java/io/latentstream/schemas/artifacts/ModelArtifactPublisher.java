package io.latentstream.schemas.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.schemas.ArtifactChunks;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.ModelStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes model packages over Kafka (docs/model-artifacts.md): the package directory as a
 * deterministic archive ({@link PackageArchive}) cut into chunks on the compacted artifacts topic,
 * then a {@link ModelRelease} (key = the version, so that compaction keeps one record of every
 * version, not only the newest of each model; sha256 of the archive, {@link ArtifactChunks}
 * location, Ed25519 signature over its metadata ({@link ReleaseSignature})) on the compacted
 * releases topic, all in one Kafka transaction: readers with {@code isolation.level=read_committed}
 * see the chunks and the release together or not at all.
 *
 * <p>Used by the trainer service to promote and roll back models, and by tests. Not thread-safe for
 * concurrent publishes (calls are serialized on the instance). Owns its producer and closes it in
 * {@link #close()}; does not close the release serializer given to it.
 */
public final class ModelArtifactPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelArtifactPublisher.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Room for the record's key, headers and batch overhead above the chunk bytes. */
  private static final int RECORD_OVERHEAD = 64 * 1024;

  private final Producer<String, byte[]> producer;
  private final Serializer<ModelRelease> releaseSerializer;
  private final String artifactsTopic;
  private final String releasesTopic;
  private final int chunkBytes;
  private final PrivateKey signingKey;

  /**
   * @param producerConfig Kafka producer settings ({@code bootstrap.servers}, security, ...); a
   *     {@code transactional.id} is generated when absent; serializers are set here
   * @param releaseSerializer value serializer of {@link ModelRelease} (e.g. the registry-backed
   *     Avro serializer)
   * @param artifactsTopic compacted topic of chunks, normally {@code models.artifacts}
   * @param releasesTopic compacted topic of releases, normally {@code models.releases}
   * @param chunkBytes bytes per chunk; keep it well under the artifacts topic's {@code
   *     max.message.bytes}
   * @param signingKey Ed25519 private key, or null to publish unsigned releases (local demo only)
   */
  public ModelArtifactPublisher(
      Map<String, ?> producerConfig,
      Serializer<ModelRelease> releaseSerializer,
      String artifactsTopic,
      String releasesTopic,
      int chunkBytes,
      PrivateKey signingKey) {
    if (chunkBytes < 1024) {
      throw new IllegalArgumentException("chunkBytes must be at least 1024");
    }
    Map<String, Object> props = new HashMap<>(producerConfig);
    props.putIfAbsent(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "latentstream-artifacts-" + UUID.randomUUID());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    int needed = chunkBytes + RECORD_OVERHEAD;
    Object configured = props.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    if (configured == null || Integer.parseInt(configured.toString()) < needed) {
      props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, needed);
    }
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    this.releaseSerializer = releaseSerializer;
    this.artifactsTopic = artifactsTopic;
    this.releasesTopic = releasesTopic;
    this.chunkBytes = chunkBytes;
    this.signingKey = signingKey;
    producer.initTransactions();
  }

  /**
   * Publishes a package directory: chunks, then the release, in one transaction.
   *
   * @param packageDir a package directory named after its version (docs/model-package.md)
   * @param release the release's remaining fields: {@code metrics} and {@code trainingData} must be
   *     set; {@code createdAt} defaults to now, {@code status} to PROMOTED, {@code parentVersion}
   *     to the manifest's; {@code publishedAt} is set to now; {@code modelName}, {@code version},
   *     {@code sha256}, {@code location} and {@code signature} are set here
   * @return the release as published
   * @throws IOException when the package cannot be read
   * @throws KafkaException when publishing fails (nothing becomes visible to read_committed
   *     readers)
   */
  public synchronized ModelRelease publish(Path packageDir, ModelRelease.Builder release)
      throws IOException {
    JsonNode manifest = JSON.readTree(packageDir.resolve("manifest.json").toFile());
    String name = manifest.path("name").asText("");
    String version = manifest.path("version").asText("");
    if (name.isEmpty() || !version.startsWith(name + "-")) {
      throw new IOException(packageDir + ": manifest.json lacks a valid name and version");
    }
    if (!packageDir.getFileName().toString().equals(version)) {
      throw new IOException(
          packageDir + ": directory name differs from manifest version " + version);
    }
    byte[] archive = PackageArchive.pack(packageDir);
    String sha = ArtifactChunkFormat.sha256(archive);
    release
        .setModelName(name)
        .setVersion(version)
        .setSha256(sha)
        .setLocation(
            new ArtifactChunks(artifactsTopic, chunkCount(archive.length), (long) archive.length))
        .setPublishedAt(
            Instant.now()) // a new record, a rollback included: later than every earlier one
        .setSignature(null);
    if (!release.hasCreatedAt()) {
      release.setCreatedAt(Instant.now());
    }
    if (!release.hasStatus()) {
      release.setStatus(ModelStatus.PROMOTED);
    }
    if (!release.hasParentVersion() && manifest.hasNonNull("parentVersion")) {
      release.setParentVersion(manifest.get("parentVersion").asText());
    }
    ModelRelease built = release.build();
    if (signingKey != null) {
      built.setSignature(ByteBuffer.wrap(ReleaseSignature.sign(signingKey, built)));
    }
    inTransaction(
        () -> {
          sendChunksInTransaction(version, archive, sha);
          sendReleaseInTransaction(built);
        });
    LOG.info(
        "published {} ({} bytes in {} chunks, sha256 {}, {})",
        version,
        archive.length,
        chunkCount(archive.length),
        sha,
        signingKey == null ? "unsigned" : "signed");
    return built;
  }

  /**
   * Publishes the chunks of an archive only (e.g. to stage a package, or in tests).
   *
   * @return the location to put in a release
   */
  public synchronized ArtifactChunks publishChunks(String version, byte[] archive) {
    inTransaction(
        () -> sendChunksInTransaction(version, archive, ArtifactChunkFormat.sha256(archive)));
    return new ArtifactChunks(artifactsTopic, chunkCount(archive.length), (long) archive.length);
  }

  /**
   * Publishes a release record only, e.g. a rollback that points again to chunks already on the
   * topic.
   */
  public synchronized void publishRelease(ModelRelease release) {
    inTransaction(() -> sendReleaseInTransaction(release));
  }

  /**
   * Deletes the chunks of a version (tombstones; compaction then frees the space). Do it only when
   * no retained frame needs that version any more.
   */
  public synchronized void deleteChunks(String version, int chunkCount) {
    deleteVersion(version, chunkCount, List.of());
  }

  /**
   * Deletes a version in one transaction: tombstones for its chunks and for its release records
   * (compaction then frees the space). Do it only when no retained frame needs that version any
   * more.
   *
   * @param releaseKeys the keys of {@code models.releases} whose latest record is a release of this
   *     version: the version itself, and the model name for a record published before releases were
   *     keyed by version
   */
  public synchronized void deleteVersion(
      String version, int chunkCount, Collection<String> releaseKeys) {
    int partition =
        ArtifactChunkFormat.partition(version, producer.partitionsFor(artifactsTopic).size());
    inTransaction(
        () -> {
          for (int i = 0; i < chunkCount; i++) {
            producer.send(
                new ProducerRecord<>(
                    artifactsTopic, partition, ArtifactChunkFormat.key(version, i), null));
          }
          for (String key : releaseKeys) {
            producer.send(new ProducerRecord<>(releasesTopic, key, null));
          }
        });
  }

  /**
   * The key of a release record on {@code models.releases}: its version (one record per version
   * survives).
   */
  public static String releaseKey(ModelRelease release) {
    return release.getVersion();
  }

  /**
   * The signature this publisher would give a release (its signature field ignored); null when it
   * signs nothing.
   */
  public byte[] signatureFor(ModelRelease release) {
    return signingKey == null ? null : ReleaseSignature.sign(signingKey, release);
  }

  private int chunkCount(int archiveLength) {
    return Math.max(1, (archiveLength + chunkBytes - 1) / chunkBytes);
  }

  private void sendChunksInTransaction(String version, byte[] archive, String sha) {
    int partition =
        ArtifactChunkFormat.partition(version, producer.partitionsFor(artifactsTopic).size());
    int count = chunkCount(archive.length);
    for (int i = 0; i < count; i++) {
      byte[] chunk =
          Arrays.copyOfRange(
              archive, i * chunkBytes, Math.min(archive.length, (i + 1) * chunkBytes));
      RecordHeaders headers = new RecordHeaders();
      headers.add(
          ArtifactChunkFormat.HEADER_CHUNK_COUNT,
          Integer.toString(count).getBytes(StandardCharsets.US_ASCII));
      headers.add(
          ArtifactChunkFormat.HEADER_ARCHIVE_SHA256, sha.getBytes(StandardCharsets.US_ASCII));
      producer.send(
          new ProducerRecord<>(
              artifactsTopic,
              partition,
              null,
              ArtifactChunkFormat.key(version, i),
              chunk,
              headers));
    }
  }

  private void sendReleaseInTransaction(ModelRelease release) {
    String key = releaseKey(release);
    producer.send(
        new ProducerRecord<>(
            releasesTopic, key, releaseSerializer.serialize(releasesTopic, release)));
  }

  private void inTransaction(Runnable sends) {
    producer.beginTransaction();
    try {
      sends.run();
      producer.commitTransaction();
    } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
      throw e; // fatal for this producer: the caller closes the publisher
    } catch (RuntimeException e) {
      try {
        producer.abortTransaction();
      } catch (RuntimeException abort) {
        e.addSuppressed(abort);
      }
      throw e;
    }
  }

  @Override
  public synchronized void close() {
    producer.close();
  }
}
