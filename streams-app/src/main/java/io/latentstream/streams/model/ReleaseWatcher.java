package io.latentstream.streams.model;

import io.latentstream.codec.CodecException;
import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.UnknownModelException;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.ModelPackageException;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.ModelStatus;
import io.latentstream.schemas.artifacts.ArtifactException;
import io.latentstream.schemas.artifacts.ArtifactFetcher;
import io.latentstream.schemas.artifacts.ArtifactProblem;
import io.latentstream.schemas.artifacts.PackageArchive;
import io.latentstream.schemas.artifacts.ReleaseInstaller;
import io.latentstream.schemas.artifacts.ReleaseSignature;
import io.latentstream.schemas.registry.RegistryUnavailableException;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.topology.Topics;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code models.releases} on its own thread and installs each new PROMOTED release of this
 * instance's model (docs/architecture.md, "Model lifecycle"; docs/model-artifacts.md): {@link
 * ReleaseInstaller} checks the release and its signature, fetches the chunks from {@code
 * models.artifacts} ({@link ArtifactFetcher}: completeness, size, sha256) and unpacks the archive
 * into the models directory ({@link PackageArchive}: no path traversal); then the package is loaded
 * ({@link CodecModel#load}: the package's own sha256s and a warm-up through both transforms), one
 * small frame is encoded and decoded, and only then the encoder is swapped in the {@link
 * ActiveModels}. A release that fails any step is rejected: logged, counted in the registry with
 * its {@link RejectionReason}, and the current model keeps serving.
 *
 * <p>Replays: of the trusted PROMOTED records of a model, the one with the latest signed
 * publication time wins; a PROMOTED record published before one already seen (read on the topic, or
 * stored with a package of the models directory) is an old record sent again and is rejected
 * ({@link RejectionReason#REPLAYED}). A rollback is a new record and passes.
 *
 * <p>An outage is not a bad release: a release record that cannot be read because the schema
 * registry is unreachable is read again later (the consumer seeks back to it), and a fetch that
 * fails on the broker or the disk is tried again with a growing pause (1 s doubling to 30 s), until
 * it succeeds or a newer release of the model replaces it. Only a watcher that died ({@link
 * #isHealthy()}) is a reason for {@code /ready} to fail.
 *
 * <p>It reads the whole (compacted) topic from the beginning with its own consumers (no consumer
 * group, read_committed), so an instance that starts late finds the current model; while catching
 * up it installs only the latest release per model name, but it remembers every release it read, of
 * every model, so that the registry can fetch a superseded version when a frame it encoded must be
 * decoded ({@link ActiveModels#fetchWith}). {@link #awaitCaughtUp} lets the app wait for the
 * catch-up before it starts encoding.
 *
 * <p>Thread-safe: {@link #start()} once, {@link #close()} from any thread. Owns its consumers and
 * its thread, not the registry nor the release deserializer.
 */
public final class ReleaseWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReleaseWatcher.class);
  private static final Duration FETCH_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  private static final Duration MAX_RETRY = Duration.ofSeconds(30);

  /**
   * Staging entries untouched this long are leftovers of a killed install (a fetch gives up after 2
   * minutes).
   */
  private static final Duration LEFTOVER_AGE = Duration.ofMinutes(15);

  private final ActiveModels activeModels;
  private final Deserializer<ModelRelease> releaseDeserializer;
  private final String releasesTopic;
  private final ReleaseInstaller installer;
  private final Map<String, Object> consumerProps;
  private final KafkaConsumer<String, byte[]> releases;
  private final KafkaConsumer<String, byte[]> artifacts;

  /**
   * Every release read so far, of every model, by version: what {@link #fetchForDecoding} can
   * install.
   */
  private final Map<String, ModelRelease> known = new ConcurrentHashMap<>();

  /**
   * Per model name, the trusted PROMOTED release with the latest publication time seen. Watcher
   * thread only.
   */
  private final Map<String, ModelRelease> newestPromoted = new HashMap<>();

  /** Serializes the fetches of versions to decode (each with a consumer of its own). */
  private final Object decodeFetchLock = new Object();

  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final AtomicLong retries = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Throwable failure;
  private volatile String lastRetryCause;

  /**
   * @param config bootstrap servers, topics, models dir, signature settings, Kafka pass-through
   *     settings
   * @param registry where installed models go; the watcher sets its installer and its fetch of
   *     missing versions
   * @param releaseDeserializer value deserializer of {@link ModelRelease} (registry-backed Avro)
   * @throws ConfigException when the public key is malformed
   */
  public ReleaseWatcher(
      StreamsAppConfig config,
      ActiveModels activeModels,
      Deserializer<ModelRelease> releaseDeserializer) {
    this.activeModels = activeModels;
    this.releaseDeserializer = releaseDeserializer;
    this.releasesTopic = config.getString(StreamsAppConfig.TOPIC_RELEASES);
    this.installer = installer(config, activeModels.modelsDir());
    Map<String, Object> props = Topics.readerConfig(config);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    this.consumerProps = Map.copyOf(props);
    this.releases = consumer("latentstream-release-watcher-");
    this.artifacts = consumer("latentstream-artifact-fetcher-");
    this.thread = new Thread(this::run, "model-release-watcher");
    thread.setDaemon(true);
    activeModels.verifyWith(installer);
    activeModels.fetchWith(this::fetchForDecoding);
  }

  /**
   * The installer of a streams configuration: {@code model.signature.public.key}, {@code
   * model.allow.unsigned}, {@code model.artifact.max.bytes}.
   *
   * @throws ConfigException when the public key is malformed
   */
  public static ReleaseInstaller installer(StreamsAppConfig config, Path modelsDir) {
    boolean allowUnsigned = config.getBoolean(StreamsAppConfig.MODEL_ALLOW_UNSIGNED);
    String key = config.getString(StreamsAppConfig.MODEL_PUBLIC_KEY);
    PublicKey publicKey = null;
    if (key == null || key.isBlank()) {
      if (!allowUnsigned) {
        LOG.warn(
            "{} is not set and {}=false: every release on Kafka will be rejected",
            StreamsAppConfig.MODEL_PUBLIC_KEY,
            StreamsAppConfig.MODEL_ALLOW_UNSIGNED);
      }
    } else {
      try {
        publicKey = ReleaseSignature.publicKey(key);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(StreamsAppConfig.MODEL_PUBLIC_KEY, "(redacted)", e.getMessage());
      }
    }
    return new ReleaseInstaller(
        modelsDir,
        publicKey,
        allowUnsigned,
        config.getLong(StreamsAppConfig.MODEL_ARTIFACT_MAX_BYTES));
  }

  private KafkaConsumer<String, byte[]> consumer(String clientIdPrefix) {
    Map<String, Object> props = new HashMap<>(consumerProps);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientIdPrefix + UUID.randomUUID());
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

  public void start() {
    thread.start();
  }

  /**
   * Waits until every release that was on the topic at start has been handled (installed, rejected,
   * or waiting to be tried again after an outage).
   *
   * @return false on timeout
   * @throws IllegalStateException when the watcher died
   */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    boolean done = caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (failure != null) {
      throw new IllegalStateException("model release watcher failed", failure);
    }
    return done;
  }

  public boolean isAlive() {
    return thread.isAlive();
  }

  /**
   * The readiness signal of model distribution: the watcher runs and has not failed. Outages it
   * rides out (the registry or the broker unreachable) do not make it unhealthy; a watcher that
   * stopped on an error does.
   */
  public boolean isHealthy() {
    return thread.isAlive() && failure == null;
  }

  /**
   * How often a read or an install was put off because the registry, the broker or the disk failed.
   */
  public long retryCount() {
    return retries.get();
  }

  private void run() {
    try {
      installer.removeLeftovers(LEFTOVER_AGE);
      installer
          .trustedStoredReleases()
          .forEach(this::track); // what this models directory has seen before
      List<TopicPartition> partitions = awaitTopic();
      if (partitions == null) {
        return;
      }
      releases.assign(partitions);
      releases.seekToBeginning(partitions);
      Map<TopicPartition, Long> startEnd = releases.endOffsets(partitions);
      LinkedHashMap<String, ModelRelease> pending =
          new LinkedHashMap<>(); // latest per name, arrival order
      boolean replaying = true;
      Duration readBackoff = FIRST_RETRY;
      Duration installBackoff = FIRST_RETRY;
      long installAt = 0;
      while (running) {
        if (!read(releases.poll(Duration.ofMillis(500)), pending)) {
          pause(readBackoff);
          readBackoff = next(readBackoff);
          continue;
        }
        readBackoff = FIRST_RETRY;
        if (replaying && !reached(partitions, startEnd)) {
          continue; // while catching up, only the latest release per model name matters
        }
        if (!pending.isEmpty() && System.nanoTime() - installAt >= 0) {
          if (installAll(pending)) {
            installBackoff = FIRST_RETRY;
          } else {
            installAt = System.nanoTime() + installBackoff.toNanos();
            installBackoff = next(installBackoff);
          }
        }
        if (replaying) {
          replaying = false;
          caughtUp.countDown();
          LOG.info(
              "release watcher caught up on {}; encoder model {}{}",
              releasesTopic,
              activeModels.currentVersionIfLoaded().orElse("(none)"),
              pending.isEmpty()
                  ? ""
                  : "; will try again to install "
                      + pending.values().stream().map(ModelRelease::getVersion).toList());
        }
      }
    } catch (WakeupException e) {
      if (running) {
        failure = e;
      }
    } catch (Throwable t) { // the thread must not die silently: /ready and the app see failure
      failure = t;
      LOG.error("model release watcher stopped", t);
    } finally {
      caughtUp.countDown();
    }
  }

  /**
   * Takes the records of one poll into {@code pending} (and {@link #known}). A record that cannot
   * be read because the schema registry is unreachable stops its partition there: the consumer
   * seeks back to it.
   *
   * @return false when a record must be read again later
   */
  private boolean read(ConsumerRecords<String, byte[]> records, Map<String, ModelRelease> pending) {
    boolean all = true;
    for (TopicPartition tp : records.partitions()) {
      for (ConsumerRecord<String, byte[]> r : records.records(tp)) {
        ModelRelease release;
        try {
          release = parse(r);
        } catch (RuntimeException e) {
          if (!RegistryUnavailableException.isCauseOf(e)) {
            throw e;
          }
          retries.incrementAndGet();
          lastRetryCause = e.toString();
          LOG.warn(
              "cannot read the release at {}-{}@{} now (the schema registry is unavailable); will read it "
                  + "again: {}",
              r.topic(),
              r.partition(),
              r.offset(),
              e.getMessage());
          releases.seek(tp, r.offset());
          all = false;
          break;
        }
        if (release != null) {
          known.put(release.getVersion(), release);
          track(release);
          pending.remove(release.getModelName());
          pending.put(release.getModelName(), release);
        }
      }
    }
    return all;
  }

  /** Remembers a trusted PROMOTED release if it is the newest one of its model so far. */
  private void track(ModelRelease release) {
    if (release.getStatus() != ModelStatus.PROMOTED || !installer.isTrusted(release)) {
      return; // an untrusted record must not raise the bar: it would lock the genuine releases out
    }
    ModelRelease newest = newestPromoted.get(release.getModelName());
    if (newest == null || publishedAt(release) >= publishedAt(newest)) {
      newestPromoted.put(release.getModelName(), release);
    }
  }

  private static long publishedAt(ModelRelease release) {
    return release.getPublishedAt() == null
        ? Long.MIN_VALUE
        : release.getPublishedAt().toEpochMilli();
  }

  /**
   * Handles the pending releases in order; one whose install failed for a reason that may pass
   * stays pending, with those after it.
   *
   * @return whether none is left
   */
  private boolean installAll(Map<String, ModelRelease> pending) {
    for (Iterator<ModelRelease> it = pending.values().iterator(); it.hasNext() && running; ) {
      ModelRelease release = it.next();
      try {
        handle(release);
        it.remove();
      } catch (ArtifactException e) { // FETCH_FAILED only: handle() rejects every other problem
        retries.incrementAndGet();
        lastRetryCause = e.getMessage();
        LOG.warn(
            "cannot install release {} now; will try again: {}",
            release.getVersion(),
            e.getMessage());
        return false;
      }
    }
    return pending.isEmpty();
  }

  private static Duration next(Duration backoff) {
    Duration doubled = backoff.multipliedBy(2);
    return doubled.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : doubled;
  }

  /** Sleeps, but returns soon after {@link #close()}. */
  private void pause(Duration d) throws InterruptedException {
    long until = System.nanoTime() + d.toNanos();
    while (running && System.nanoTime() - until < 0) {
      Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
    }
  }

  private List<TopicPartition> awaitTopic() {
    while (running) {
      List<PartitionInfo> infos = releases.partitionsFor(releasesTopic, Duration.ofSeconds(5));
      if (infos != null && !infos.isEmpty()) {
        List<TopicPartition> out = new ArrayList<>();
        infos.forEach(i -> out.add(new TopicPartition(releasesTopic, i.partition())));
        return out;
      }
      LOG.info("waiting for topic {} to exist", releasesTopic);
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  private boolean reached(List<TopicPartition> partitions, Map<TopicPartition, Long> end) {
    for (TopicPartition tp : partitions) {
      if (releases.position(tp) < end.getOrDefault(tp, 0L)) {
        return false;
      }
    }
    return true;
  }

  /**
   * @return null for a tombstone or an unreadable record (rejected)
   * @throws RuntimeException with a {@link RegistryUnavailableException} as cause when the registry
   *     is unavailable
   */
  private ModelRelease parse(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return null; // tombstone: a deleted version (releases are keyed by version); the current
      // model keeps serving
    }
    try {
      return releaseDeserializer.deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      if (RegistryUnavailableException.isCauseOf(e)) {
        throw e;
      }
      reject(
          String.valueOf(r.key()),
          RejectionReason.INVALID_RELEASE,
          "unreadable release record at "
              + r.topic()
              + "-"
              + r.partition()
              + "@"
              + r.offset()
              + ": "
              + e.getMessage());
      return null;
    }
  }

  /**
   * Installs one release or rejects it; never throws for a bad release.
   *
   * @throws ArtifactException {@link ArtifactProblem#FETCH_FAILED}: the package could not be
   *     fetched now (the broker or the disk failed); nothing was rejected, try again later
   */
  void handle(ModelRelease release) {
    String version = release.getVersion();
    if (!release.getModelName().equals(activeModels.modelName())) {
      LOG.debug(
          "ignoring release {} of model {}: this instance encodes with {}",
          version,
          release.getModelName(),
          activeModels.modelName());
      return;
    }
    if (release.getStatus() != ModelStatus.PROMOTED) {
      LOG.info("ignoring release {} with status {}", version, release.getStatus());
      return;
    }
    ModelRelease newest = newestPromoted.get(release.getModelName());
    if (newest != null && publishedAt(release) < publishedAt(newest)) {
      reject(
          version,
          RejectionReason.REPLAYED,
          "published at "
              + release.getPublishedAt()
              + ", before release "
              + newest.getVersion()
              + " (published at "
              + newest.getPublishedAt()
              + "): an old record sent again");
      release = newest; // what the model's genuine newest promotion says
      version = release.getVersion();
    }
    if (activeModels.currentVersionIfLoaded().map(version::equals).orElse(false)) {
      LOG.info("release {} is already the encoder model", version);
      return;
    }
    long start = System.nanoTime();
    try {
      CodecModel model = install(release);
      activeModels.swap(model);
      LOG.info("installed release {} in {} ms", version, (System.nanoTime() - start) / 1_000_000);
    } catch (ModelRejectedException e) {
      reject(version, e.reason(), e.getMessage());
    } catch (ArtifactException e) {
      throw e;
    } catch (RuntimeException e) {
      reject(version, RejectionReason.LOAD_FAILED, e.toString());
    }
  }

  private void reject(String version, RejectionReason reason, String message) {
    if (!running) {
      LOG.info("stopped while installing release {}: {}", version, message);
      return; // interrupted by close(), not the package's fault
    }
    LOG.warn(
        "rejected model release {}: {}: {}; the current model {} keeps serving",
        version,
        reason,
        message,
        activeModels.currentVersionIfLoaded().orElse("(none)"));
    activeModels.recordRejection(version, reason, message);
  }

  private CodecModel install(ModelRelease release) {
    String version = release.getVersion();
    ReleaseInstaller.Installed installed;
    try {
      installed = installer.install(release, artifacts, FETCH_TIMEOUT);
    } catch (ArtifactException e) {
      if (e.problem() == ArtifactProblem.FETCH_FAILED) {
        throw e;
      }
      throw new ModelRejectedException(reasonOf(e), e.getMessage(), e);
    }
    CodecModel model;
    try {
      model = CodecModel.load(installed.dir());
    } catch (CodecException e) {
      if (installed.fetched()) {
        installer.remove(version);
      }
      boolean warmUp =
          e instanceof ModelPackageException.ModelLoadException
              && String.valueOf(e.getMessage()).contains("warm-up");
      throw new ModelRejectedException(
          warmUp ? RejectionReason.WARMUP_FAILED : RejectionReason.LOAD_FAILED, e.getMessage(), e);
    }
    try {
      if (!model.manifest().name().equals(release.getModelName())
          || !model.version().equals(version)) {
        throw new ModelRejectedException(
            RejectionReason.INVALID_RELEASE,
            "package is "
                + model.version()
                + " of model "
                + model.manifest().name()
                + ", the release announces "
                + version);
      }
      warmUp(model);
      return model;
    } catch (RuntimeException e) {
      model.close();
      if (installed.fetched()) {
        installer.remove(version);
      }
      throw e;
    }
  }

  /**
   * Installs a version the models directory lacks from the release read for it, for decoding frames
   * it encoded (any model name, any status: the signature still has to verify). Called by the
   * registry on a decoding thread.
   *
   * @return its directory, or empty when no release of it was read
   * @throws UnknownModelException when the release is known but cannot be installed
   */
  Optional<Path> fetchForDecoding(String version) {
    ModelRelease release = known.get(version);
    if (release == null) {
      return Optional.empty();
    }
    synchronized (decodeFetchLock) {
      try (KafkaConsumer<String, byte[]> consumer = consumer("latentstream-decode-fetcher-")) {
        Path dir = installer.install(release, consumer, FETCH_TIMEOUT).dir();
        LOG.info("fetched superseded model {} to decode frames it encoded", version);
        return Optional.of(dir);
      } catch (ArtifactException e) {
        throw new UnknownModelException(
            version,
            "model version "
                + version
                + " is not in "
                + installer.modelsDir()
                + " and its release cannot be installed ("
                + e.problem()
                + "): "
                + e.getMessage());
      }
    }
  }

  /**
   * Encodes and decodes one small frame with the new model alone: it must give back an image of the
   * same size.
   */
  private static void warmUp(CodecModel model) {
    int w = 64;
    int h = 48;
    byte[] px = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int o = (y * w + x) * 3;
        px[o] = (byte) (x * 4);
        px[o + 1] = (byte) (y * 5);
        px[o + 2] = (byte) ((x + y) * 2);
      }
    }
    try {
      LearnedCodec codec = LearnedCodec.of(model);
      EncodedImage encoded = codec.compress(new PixelImage(w, h, PixelFormat.RGB24, px));
      PixelImage decoded = codec.decompress(encoded.bitstream());
      if (decoded.width() != w
          || decoded.height() != h
          || !model.version().equals(encoded.modelVersion())) {
        throw new CodecException(
            "warm-up frame came back as " + decoded.width() + "x" + decoded.height());
      }
    } catch (RuntimeException e) {
      throw new ModelRejectedException(
          RejectionReason.WARMUP_FAILED, "warm-up frame failed: " + e.getMessage(), e);
    }
  }

  private static RejectionReason reasonOf(ArtifactException e) {
    return switch (e.problem()) {
      case INVALID_RELEASE -> RejectionReason.INVALID_RELEASE;
      case INCOMPLETE_CHUNKS -> RejectionReason.INCOMPLETE_CHUNKS;
      case SHA256_MISMATCH -> RejectionReason.SHA256_MISMATCH;
      case MISSING_SIGNATURE -> RejectionReason.MISSING_SIGNATURE;
      case BAD_SIGNATURE -> RejectionReason.BAD_SIGNATURE;
      case UNSAFE_ARCHIVE -> RejectionReason.UNSAFE_ARCHIVE;
      case FETCH_FAILED -> RejectionReason.FETCH_FAILED; // not reached: install() lets it through
    };
  }

  /**
   * Stops the thread (waits for a release being installed to finish) and closes the consumers.
   * Idempotent.
   */
  @Override
  public void close() {
    running = false;
    releases.wakeup();
    artifacts.wakeup(); // a fetch in progress stops too
    if (thread.isAlive() && Thread.currentThread() != thread) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      if (!thread.isAlive()) {
        closeQuietly(releases);
        closeQuietly(artifacts);
      }
    }
  }

  private static void closeQuietly(KafkaConsumer<?, ?> consumer) {
    try {
      consumer.close();
    } catch (RuntimeException e) {
      LOG.debug("closing consumer: {}", e.toString());
    }
  }
}
