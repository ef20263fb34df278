package io.latentstream.trainer.service;

import io.latentstream.schemas.ArtifactChunks;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.ModelStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the model versions that no retained frame needs any more: for each configured model,
 * every version that is not the current champion and was superseded longer ago than the retention
 * of the encoded-frames topic ({@code topic.latent}'s {@code retention.ms}) plus {@code
 * cleanup.margin.ms} gets tombstones for its chunks on {@code models.artifacts} and its release
 * records on {@code models.releases}, in one transaction. A version is superseded when the first
 * trusted PROMOTED release of another version is published after its own last trusted PROMOTED
 * release; a rollback republishes an earlier version as PROMOTED, which makes it current (or
 * superseded later) again. With {@code retention.ms=-1} (frames kept forever), or when the
 * retention cannot be read, nothing is deleted.
 *
 * <p>Holds the {@link ReleasePublisher}'s lock from reading the releases to the last tombstone, so
 * it never overlaps a publication of this process (a promotion or rollback published meanwhile
 * would otherwise not be seen). Thread-safe.
 */
public final class ReleaseCleanup {
  private static final Logger LOG = LoggerFactory.getLogger(ReleaseCleanup.class);

  /**
   * A version to delete: its chunk count and the release keys whose latest record is of this
   * version.
   */
  public record Deletion(
      String version, int chunkCount, List<String> releaseKeys, long supersededAt) {}

  private final TrainerServiceConfig config;
  private final ReleaseHistory releases;
  private final ReleasePublisher publisher;
  private final Clock clock;
  private final AtomicLong deleted = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  public ReleaseCleanup(
      TrainerServiceConfig config,
      ReleaseHistory releases,
      ReleasePublisher publisher,
      Clock clock) {
    this.config = config;
    this.releases = releases;
    this.publisher = publisher;
    this.clock = clock;
  }

  /** Versions deleted since start. */
  public long deletedCount() {
    return deleted.get();
  }

  /**
   * Cleanups that failed (broker or registry unavailable, ...) since start; the next one tries
   * again.
   */
  public long failureCount() {
    return failures.get();
  }

  /** One cleanup that logs and counts a failure instead of throwing (for the schedule). */
  public void runQuietly() {
    try {
      run();
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      LOG.warn("release cleanup failed, will try again at the next one: {}", e.toString());
    }
  }

  /**
   * One cleanup of every configured model.
   *
   * @return the versions deleted
   */
  public List<Deletion> run() {
    synchronized (publisher) {
      return runLocked();
    }
  }

  private List<Deletion> runLocked() {
    OptionalLong retention = latentRetentionMs();
    if (retention.isEmpty()) {
      return List.of();
    }
    if (retention.getAsLong() < 0) {
      LOG.debug(
          "{} keeps frames forever (retention.ms=-1): no model version is deleted",
          config.getString(TrainerServiceConfig.TOPIC_LATENT));
      return List.of();
    }
    long margin = config.getLong(TrainerServiceConfig.CLEANUP_MARGIN_MS);
    List<Deletion> done = new ArrayList<>();
    for (String model : config.getList(TrainerServiceConfig.MODEL_NAMES)) {
      List<Deletion> selected =
          select(
              releases.entries(model),
              releases::isTrusted,
              clock.millis(),
              retention.getAsLong(),
              margin);
      for (Deletion d : selected) {
        publisher.deleteVersion(d.version(), d.chunkCount(), d.releaseKeys());
        deleted.incrementAndGet();
        done.add(d);
        LOG.info(
            "deleted {} ({} chunks, release keys {}): superseded at {}, longer ago than the retention"
                + " of {} ({} ms) plus {} ms",
            d.version(),
            d.chunkCount(),
            d.releaseKeys(),
            java.time.Instant.ofEpochMilli(d.supersededAt()),
            config.getString(TrainerServiceConfig.TOPIC_LATENT),
            retention.getAsLong(),
            margin);
      }
    }
    return done;
  }

  /**
   * The versions of one model to delete.
   *
   * @param entries the model's release records in topic order ({@link ReleaseHistory#entries})
   * @param trusted the trust policy: untrusted records neither make a champion nor supersede
   *     anything, and are never deleted by this rule
   * @param retentionMs the encoded frames' retention; negative = forever (nothing is deleted)
   */
  static List<Deletion> select(
      List<ReleaseHistory.Entry> entries,
      Predicate<ModelRelease> trusted,
      long now,
      long retentionMs,
      long marginMs) {
    if (retentionMs < 0) {
      return List.of();
    }
    List<ReleaseHistory.Entry> promoted =
        entries.stream()
            .filter(
                e -> e.release().getStatus() == ModelStatus.PROMOTED && trusted.test(e.release()))
            .toList();
    if (promoted.isEmpty()) {
      return List.of();
    }
    // the champion: the trusted PROMOTED record published last (a tie goes to the later record)
    ReleaseHistory.Entry champion = promoted.get(0);
    Map<String, Long> lastPromoted = new LinkedHashMap<>();
    for (ReleaseHistory.Entry e : promoted) {
      if (e.publishedAtOrTimestamp() >= champion.publishedAtOrTimestamp()) {
        champion = e;
      }
      lastPromoted.merge(e.release().getVersion(), e.publishedAtOrTimestamp(), Math::max);
    }
    // the key each record lives under, and which version each key's latest record is of
    Map<String, String> versionOfKey = new HashMap<>();
    Map<String, Integer> chunks = new HashMap<>();
    for (ReleaseHistory.Entry e : entries) {
      versionOfKey.put(e.key(), e.release().getVersion());
      if (e.release().getLocation() instanceof ArtifactChunks c) {
        chunks.put(e.release().getVersion(), c.getChunkCount());
      }
    }
    String current = champion.release().getVersion();
    List<Deletion> out = new ArrayList<>();
    for (Map.Entry<String, Long> v : lastPromoted.entrySet()) {
      if (v.getKey().equals(current)) {
        continue;
      }
      long last = v.getValue();
      long supersededAt = Long.MAX_VALUE;
      for (ReleaseHistory.Entry e : promoted) {
        long t = e.publishedAtOrTimestamp();
        if (!e.release().getVersion().equals(v.getKey()) && t > last) {
          supersededAt = Math.min(supersededAt, t);
        }
      }
      if (supersededAt == Long.MAX_VALUE || now - supersededAt <= retentionMs + marginMs) {
        continue; // not superseded (only a tie with the champion), or frames it encoded may still
        // be retained
      }
      List<String> keys =
          versionOfKey.entrySet().stream()
              .filter(k -> k.getValue().equals(v.getKey()))
              .map(Map.Entry::getKey)
              .filter(k -> k != null)
              .sorted()
              .toList();
      out.add(new Deletion(v.getKey(), chunks.getOrDefault(v.getKey(), 0), keys, supersededAt));
    }
    return out;
  }

  /**
   * {@code retention.ms} of the encoded-frames topic, or empty when it cannot be read (then nothing
   * is deleted).
   */
  private OptionalLong latentRetentionMs() {
    String topic = config.getString(TrainerServiceConfig.TOPIC_LATENT);
    Map<String, Object> props = config.kafkaClientConfig(AdminClientConfig.configNames());
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Admin admin = Admin.create(props);
    try {
      Config c =
          admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
      ConfigEntry entry = c == null ? null : c.get(TopicConfig.RETENTION_MS_CONFIG);
      if (entry == null || entry.value() == null) {
        LOG.warn("cannot read retention.ms of {}: no model version is deleted", topic);
        return OptionalLong.empty();
      }
      return OptionalLong.of(Long.parseLong(entry.value()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalLong.empty();
    } catch (Exception e) {
      LOG.warn(
          "cannot read retention.ms of {} ({}): no model version is deleted", topic, e.toString());
      return OptionalLong.empty();
    } finally {
      admin.close(Duration.ofSeconds(5));
    }
  }
}
