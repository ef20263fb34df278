package io.latentstream.trainer.service;

import io.latentstream.codec.UnknownModelException;
import io.latentstream.codec.model.ModelCatalog;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.ModelStatus;
import io.latentstream.schemas.artifacts.ArtifactException;
import io.latentstream.schemas.artifacts.ReleaseInstaller;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's view of {@code models.releases}: the releases of its model (history in topic order,
 * read_committed from the beginning; compaction may have removed older ones), the current champion,
 * and packages fetched back from {@code models.artifacts} into the models directory by the
 * installer the streams instances use ({@link ReleaseInstaller}: signature, chunks complete,
 * sha256, safe unpacking). When the topic holds no PROMOTED release of the model yet, the champion
 * is the newest bundled package of that name in the models directory.
 *
 * <p>The service fetches packages from its run thread only; {@link #entries}, {@link #history} and
 * {@link #isTrusted} are also called by the release cleanup on its own thread (each read creates a
 * consumer and closes it). Does not close the release deserializer.
 */
public final class ReleaseHistory {
  private static final Logger LOG = LoggerFactory.getLogger(ReleaseHistory.class);
  private static final String API_TIMEOUT = "default.api.timeout.ms";

  private final TrainerServiceConfig config;
  private final Deserializer<ModelRelease> deserializer;
  private final Path modelsDir;
  private final ReleaseInstaller installer;

  /**
   * How long a look-up may wait for the broker: the clients' {@code default.api.timeout.ms}, 30 s
   * by default.
   */
  private final Duration timeout;

  /**
   * @param publicKey checks the signature of releases read back; null only with {@code
   *     signing.allow.unsigned=true} (then releases are not checked), else every release is refused
   */
  public ReleaseHistory(
      TrainerServiceConfig config, Deserializer<ModelRelease> deserializer, PublicKey publicKey) {
    this.config = config;
    this.deserializer = deserializer;
    this.modelsDir = Path.of(config.getString(TrainerServiceConfig.MODELS_DIR));
    boolean allowUnsigned = config.getBoolean(TrainerServiceConfig.SIGNING_ALLOW_UNSIGNED);
    if (publicKey == null && !allowUnsigned) {
      LOG.warn(
          "no public key to check the releases read back ({} or a .pub next to {}): every release is "
              + "refused, and the champion is the newest bundled package",
          TrainerServiceConfig.RELEASE_PUBLIC_KEY_FILE,
          TrainerServiceConfig.SIGNING_PRIVATE_KEY_FILE);
    }
    this.installer =
        new ReleaseInstaller(
            modelsDir,
            publicKey,
            allowUnsigned,
            config.getLong(TrainerServiceConfig.ARTIFACT_MAX_BYTES));
    this.timeout =
        Duration.ofMillis(
            Long.parseLong(config.kafkaOverrides().getOrDefault(API_TIMEOUT, "30000")));
  }

  /**
   * Removes what fetches interrupted by a kill left in the models directory (untouched for 15
   * minutes).
   */
  public void removeLeftovers() {
    installer.removeLeftovers(Duration.ofMinutes(15));
  }

  /**
   * The champion: a package directory and the release it came from (null for a bundled package).
   */
  public record Champion(Path packageDir, String version, ModelRelease release) {}

  /**
   * A release record as read: its key on the topic (the version; the model name for records
   * published before releases were keyed by version), its timestamp and the release.
   */
  public record Entry(String key, long timestamp, ModelRelease release) {
    /** When it was published: the signed {@code publishedAt}, else the record's timestamp. */
    public long publishedAtOrTimestamp() {
      return release.getPublishedAt() == null ? timestamp : release.getPublishedAt().toEpochMilli();
    }
  }

  /** The releases of model {@code name} on the topic, oldest first. */
  public List<ModelRelease> history(String name) {
    return entries(name).stream().map(Entry::release).toList();
  }

  /**
   * The release records of model {@code name} on the topic in offset order (= publication order:
   * the topic has one partition), selected by the release's {@code modelName} whatever the key. A
   * tombstone removes the earlier records of its key, as compaction will.
   */
  public List<Entry> entries(String name) {
    String topic = config.getString(TrainerServiceConfig.TOPIC_RELEASES);
    List<Entry> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = consumer("releases")) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
      if (infos == null || infos.isEmpty()) {
        return out;
      }
      List<TopicPartition> partitions =
          infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.getOrDefault(tp, 0L))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("timed out reading " + topic);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() == null) {
            out.removeIf(e -> e.key() != null && e.key().equals(r.key()));
            continue;
          }
          ModelRelease release;
          try {
            release = deserializer.deserialize(topic, r.value());
          } catch (RuntimeException e) {
            LOG.warn(
                "unreadable release at {}-{}@{}: {}",
                r.topic(),
                r.partition(),
                r.offset(),
                e.toString());
            continue;
          }
          if (name.equals(release.getModelName())) {
            out.add(new Entry(r.key(), r.timestamp(), release));
          }
        }
      }
    }
    return out;
  }

  /** Whether a release passes the trust policy (signature, or unsigned releases allowed). */
  public boolean isTrusted(ModelRelease release) {
    return installer.isTrusted(release);
  }

  /**
   * The current champion of model {@code name}: its trusted PROMOTED release published last
   * (fetched into the models directory if needed), else the newest bundled package of that name.
   *
   * @throws IllegalStateException when there is neither
   */
  public Champion champion(String name) {
    List<ModelRelease> releases = history(name);
    // the trusted PROMOTED record published last (the streams instances' rule): a later record with
    // another
    // status (e.g. REJECTED) does not change what serves, and an old record sent again does not
    // either
    Optional<ModelRelease> current = Optional.empty();
    for (ModelRelease r : releases) {
      if (r.getStatus() != ModelStatus.PROMOTED) {
        continue;
      }
      if (!installer.isTrusted(r)) {
        LOG.warn(
            "ignoring release {}: its signature does not pass the trust policy", r.getVersion());
      } else if (current.isEmpty() || publishedAt(r) >= publishedAt(current.get())) {
        current = Optional.of(r);
      }
    }
    if (current.isPresent()) {
      ModelRelease r = current.get();
      return new Champion(packageOf(r), r.getVersion(), r);
    }
    try {
      Path dir = new ModelCatalog(modelsDir, 1).locate(name, null);
      return new Champion(dir, dir.getFileName().toString(), null);
    } catch (UnknownModelException e) {
      throw new IllegalStateException(
          "no champion of "
              + name
              + ": no PROMOTED release on "
              + config.getString(TrainerServiceConfig.TOPIC_RELEASES)
              + " and no package in "
              + modelsDir,
          e);
    }
  }

  private static long publishedAt(ModelRelease r) {
    return r.getPublishedAt() == null ? Long.MIN_VALUE : r.getPublishedAt().toEpochMilli();
  }

  /**
   * The package of a release in the models directory, installed first when it is not there, and
   * checked against the release either way ({@link ReleaseInstaller}, the same install path as the
   * streams instances').
   *
   * @throws IllegalStateException when the release cannot be trusted or fetched
   */
  public Path packageOf(ModelRelease release) {
    try (KafkaConsumer<String, byte[]> consumer = consumer("artifacts")) {
      ReleaseInstaller.Installed installed =
          installer.install(release, consumer, Duration.ofMinutes(2));
      if (installed.fetched()) {
        LOG.info("fetched {} into {}", release.getVersion(), installed.dir());
      }
      return installed.dir();
    } catch (ArtifactException e) {
      throw new IllegalStateException(
          "cannot use release "
              + release.getVersion()
              + " ("
              + e.problem()
              + "): "
              + e.getMessage(),
          e);
    }
  }

  private KafkaConsumer<String, byte[]> consumer(String role) {
    Map<String, Object> props = config.kafkaClientConfig(ConsumerConfig.configNames());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(
        ConsumerConfig.CLIENT_ID_CONFIG, "latentstream-trainer-" + role + "-" + UUID.randomUUID());
    props.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }
}
