package io.latentstream.streams.model;

import io.latentstream.codec.CodecException;
import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.ModelPackageException;
import io.latentstream.schemas.ArtifactChunks;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.ModelStatus;
import io.latentstream.schemas.artifacts.ArtifactChunkFormat;
import io.latentstream.schemas.artifacts.ArtifactException;
import io.latentstream.schemas.artifacts.ArtifactFetcher;
import io.latentstream.schemas.artifacts.PackageArchive;
import io.latentstream.schemas.artifacts.ReleaseSignature;
import io.latentstream.streams.config.StreamsAppConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * Follows {@code models.releases} on its own thread and installs each new PROMOTED release of this instance's model
 * (docs/architecture.md, "Model lifecycle"): checks the signature, fetches the chunks from {@code models.artifacts}
 * ({@link ArtifactFetcher}: completeness, size, sha256), unpacks the archive into the models directory
 * ({@link PackageArchive}: no path traversal), loads it ({@link CodecModel#load}: the package's own sha256s and a
 * warm-up through both transforms), encodes and decodes one small frame, and only then swaps the encoder in the
 * {@link ModelRegistry}. A release that fails any step is rejected: logged, counted in the registry with its
 * {@link RejectionReason}, and the current model keeps serving.
 *
 * <p>It reads the whole (compacted) topic from the beginning with its own consumers (no consumer group,
 * read_committed), so an instance that starts late finds the current model; while catching up it keeps only the
 * latest release per model name. {@link #awaitCaughtUp} lets the app wait for that before it starts encoding.
 *
 * <p>Thread-safe: {@link #start()} once, {@link #close()} from any thread. Owns its consumers and its thread, not the
 * registry nor the release deserializer.
 */
public final class ReleaseWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReleaseWatcher.class);
  private static final Pattern VERSION = Pattern.compile("[a-z0-9][a-z0-9-]*-\\d{14}-[0-9a-f]{8}");
  private static final Duration FETCH_TIMEOUT = Duration.ofMinutes(2);
  private static final String INCOMING = ".incoming";

  private final ModelRegistry registry;
  private final Deserializer<ModelRelease> releaseDeserializer;
  private final String releasesTopic;
  private final Path modelsDir;
  private final PublicKey publicKey;
  private final boolean allowUnsigned;
  private final long maxArchiveBytes;
  private final KafkaConsumer<String, byte[]> releases;
  private final KafkaConsumer<String, byte[]> artifacts;
  private final ArtifactFetcher fetcher;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Throwable failure;

  /**
   * @param config bootstrap servers, topics, models dir, signature settings, Kafka pass-through settings
   * @param registry where installed models go
   * @param releaseDeserializer value deserializer of {@link ModelRelease} (registry-backed Avro)
   * @throws ConfigException when the public key is malformed, or missing while unsigned packages are not allowed
   */
  public ReleaseWatcher(StreamsAppConfig config, ModelRegistry registry,
      Deserializer<ModelRelease> releaseDeserializer) {
    this.registry = registry;
    this.releaseDeserializer = releaseDeserializer;
    this.releasesTopic = config.getString(StreamsAppConfig.TOPIC_RELEASES);
    this.modelsDir = registry.modelsDir();
    this.allowUnsigned = config.getBoolean(StreamsAppConfig.MODEL_ALLOW_UNSIGNED);
    this.maxArchiveBytes = config.getLong(StreamsAppConfig.MODEL_ARTIFACT_MAX_BYTES);
    String key = config.getString(StreamsAppConfig.MODEL_PUBLIC_KEY);
    if (key == null || key.isBlank()) {
      this.publicKey = null;
      if (!allowUnsigned) {
        LOG.warn("{} is not set and {}=false: every release on {} will be rejected",
            StreamsAppConfig.MODEL_PUBLIC_KEY, StreamsAppConfig.MODEL_ALLOW_UNSIGNED, releasesTopic);
      }
    } else {
      try {
        this.publicKey = ReleaseSignature.publicKey(key);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(StreamsAppConfig.MODEL_PUBLIC_KEY, "(redacted)", e.getMessage());
      }
    }
    Map<String, Object> props = new HashMap<>(config.kafkaOverrides());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(StreamsAppConfig.BOOTSTRAP_SERVERS));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "latentstream-release-watcher-" + UUID.randomUUID());
    this.releases = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "latentstream-artifact-fetcher-" + UUID.randomUUID());
    this.artifacts = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    this.fetcher = new ArtifactFetcher(artifacts, maxArchiveBytes);
    this.thread = new Thread(this::run, "model-release-watcher");
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /**
   * Waits until every release that was on the topic at start has been handled (installed or rejected).
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

  private void run() {
    try {
      List<TopicPartition> partitions = awaitTopic();
      if (partitions == null) {
        return;
      }
      releases.assign(partitions);
      releases.seekToBeginning(partitions);
      Map<TopicPartition, Long> startEnd = releases.endOffsets(partitions);
      LinkedHashMap<String, ModelRelease> pending = new LinkedHashMap<>();
      boolean replaying = true;
      while (running) {
        for (ConsumerRecord<String, byte[]> r : releases.poll(Duration.ofMillis(500))) {
          ModelRelease release = parse(r);
          if (release != null) {
            pending.remove(release.getModelName()); // keep arrival order of the latest per name
            pending.put(release.getModelName(), release);
          }
        }
        if (replaying && !reached(partitions, startEnd)) {
          continue; // while catching up, only the latest release per model name matters
        }
        for (ModelRelease release : pending.values()) {
          handle(release);
        }
        pending.clear();
        if (replaying) {
          replaying = false;
          caughtUp.countDown();
          LOG.info("release watcher caught up on {}; encoder model {}", releasesTopic,
              registry.currentVersionIfLoaded().orElse("(none)"));
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

  private ModelRelease parse(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return null; // tombstone: a withdrawn model name; the current model keeps serving
    }
    try {
      return releaseDeserializer.deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      reject(String.valueOf(r.key()), RejectionReason.INVALID_RELEASE, "unreadable release record at "
          + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + e.getMessage());
      return null;
    }
  }

  /** Installs one release or rejects it; never throws for a bad release. */
  void handle(ModelRelease release) {
    String version = release.getVersion();
    if (!release.getModelName().equals(registry.modelName())) {
      LOG.debug("ignoring release {} of model {}: this instance encodes with {}", version, release.getModelName(),
          registry.modelName());
      return;
    }
    if (release.getStatus() != ModelStatus.PROMOTED) {
      LOG.info("ignoring release {} with status {}", version, release.getStatus());
      return;
    }
    if (registry.currentVersionIfLoaded().map(version::equals).orElse(false)) {
      LOG.info("release {} is already the encoder model", version);
      return;
    }
    long start = System.nanoTime();
    try {
      CodecModel model = install(release);
      registry.swap(model);
      LOG.info("installed release {} in {} ms", version, (System.nanoTime() - start) / 1_000_000);
    } catch (ModelRejectedException e) {
      reject(version, e.reason(), e.getMessage());
    } catch (RuntimeException e) {
      reject(version, RejectionReason.LOAD_FAILED, e.toString());
    }
  }

  private void reject(String version, RejectionReason reason, String message) {
    if (!running) {
      LOG.info("stopped while installing release {}: {}", version, message);
      return; // interrupted by close(), not the package's fault
    }
    LOG.warn("rejected model release {}: {}: {}; the current model {} keeps serving", version, reason, message,
        registry.currentVersionIfLoaded().orElse("(none)"));
    registry.recordRejection(version, reason, message);
  }

  private CodecModel install(ModelRelease release) {
    String version = release.getVersion();
    if (!VERSION.matcher(version).matches() || !version.startsWith(release.getModelName() + "-")) {
      throw new ModelRejectedException(RejectionReason.INVALID_RELEASE, "version '" + version
          + "' is not <name>-<yyyyMMddHHmmss>-<digest:8> of model " + release.getModelName());
    }
    if (!(release.getLocation() instanceof ArtifactChunks chunks)) {
      throw new ModelRejectedException(RejectionReason.INVALID_RELEASE, "location " + release.getLocation()
          + " is not supported; packages must be published as chunks on Kafka");
    }
    checkSignature(release);
    Path target = modelsDir.resolve(version);
    boolean fetched = false;
    if (Files.isDirectory(target)) {
      checkLocalCopy(target, release.getSha256());
    } else {
      fetchAndUnpack(version, chunks, release.getSha256(), target);
      fetched = true;
    }
    CodecModel model;
    try {
      model = CodecModel.load(target);
    } catch (CodecException e) {
      if (fetched) {
        deleteQuietly(target);
      }
      boolean warmUp = e instanceof ModelPackageException.ModelLoadException && String.valueOf(e.getMessage())
          .contains("warm-up");
      throw new ModelRejectedException(warmUp ? RejectionReason.WARMUP_FAILED : RejectionReason.LOAD_FAILED,
          e.getMessage(), e);
    }
    try {
      if (!model.manifest().name().equals(release.getModelName()) || !model.version().equals(version)) {
        throw new ModelRejectedException(RejectionReason.INVALID_RELEASE, "package is " + model.version()
            + " of model " + model.manifest().name() + ", the release announces " + version);
      }
      warmUp(model);
      return model;
    } catch (RuntimeException e) {
      model.close();
      if (fetched) {
        deleteQuietly(target);
      }
      throw e;
    }
  }

  private void checkSignature(ModelRelease release) {
    ByteBuffer sig = release.getSignature();
    if (sig == null || !sig.hasRemaining()) {
      if (allowUnsigned) {
        LOG.warn("loading unsigned release {} ({}=true)", release.getVersion(), StreamsAppConfig.MODEL_ALLOW_UNSIGNED);
        return;
      }
      throw new ModelRejectedException(RejectionReason.MISSING_SIGNATURE, "release is not signed and "
          + StreamsAppConfig.MODEL_ALLOW_UNSIGNED + " is false");
    }
    if (publicKey == null) {
      if (allowUnsigned) {
        LOG.warn("cannot verify the signature of {}: no {} configured; loading it as unsigned",
            release.getVersion(), StreamsAppConfig.MODEL_PUBLIC_KEY);
        return;
      }
      throw new ModelRejectedException(RejectionReason.BAD_SIGNATURE, "no " + StreamsAppConfig.MODEL_PUBLIC_KEY
          + " configured to verify the signature");
    }
    if (!ReleaseSignature.verify(publicKey, release)) {
      throw new ModelRejectedException(RejectionReason.BAD_SIGNATURE,
          "Ed25519 signature of the release does not verify against the configured public key");
    }
  }

  /** A package already in the models directory is used only if it is exactly the released one. */
  private void checkLocalCopy(Path dir, String sha256) {
    try {
      String local = ArtifactChunkFormat.sha256(PackageArchive.pack(dir));
      if (!local.equalsIgnoreCase(sha256)) {
        throw new ModelRejectedException(RejectionReason.SHA256_MISMATCH, "local package " + dir
            + " differs from the release (archive sha256 " + local + ")");
      }
    } catch (IOException e) {
      throw new ModelRejectedException(RejectionReason.LOAD_FAILED, "cannot read local package " + dir + ": " + e);
    }
  }

  /**
   * Fetches the archive to a file next to the models directory's packages (never whole in memory), unpacks it there,
   * then moves the directory into place in one step.
   */
  private void fetchAndUnpack(String version, ArtifactChunks chunks, String sha256, Path target) {
    Path staging = modelsDir.resolve(INCOMING).resolve(UUID.randomUUID().toString());
    Path archive = staging.resolve(target.getFileName() + ".zip");
    Path unpacked = staging.resolve(target.getFileName().toString());
    try {
      Files.createDirectories(staging);
      fetcher.fetchTo(version, chunks, sha256, archive, FETCH_TIMEOUT);
      PackageArchive.unpack(archive, unpacked, maxArchiveBytes);
      Files.delete(archive);
      try {
        Files.move(unpacked, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(unpacked, target);
      }
    } catch (ArtifactException e) {
      throw new ModelRejectedException(reasonOf(e), e.getMessage(), e);
    } catch (FileAlreadyExistsException e) {
      LOG.info("{} appeared meanwhile; using it", target); // e.g. another process sharing the directory
    } catch (IOException e) {
      throw new ModelRejectedException(RejectionReason.LOAD_FAILED, "cannot unpack into " + modelsDir + ": " + e, e);
    } finally {
      deleteQuietly(staging);
    }
  }

  /** Encodes and decodes one small frame with the new model alone: it must give back an image of the same size. */
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
      if (decoded.width() != w || decoded.height() != h || !model.version().equals(encoded.modelVersion())) {
        throw new CodecException("warm-up frame came back as " + decoded.width() + "x" + decoded.height());
      }
    } catch (RuntimeException e) {
      throw new ModelRejectedException(RejectionReason.WARMUP_FAILED, "warm-up frame failed: " + e.getMessage(), e);
    }
  }

  private static RejectionReason reasonOf(ArtifactException e) {
    return switch (e.problem()) {
      case INCOMPLETE_CHUNKS -> RejectionReason.INCOMPLETE_CHUNKS;
      case SHA256_MISMATCH -> RejectionReason.SHA256_MISMATCH;
      case MISSING_SIGNATURE -> RejectionReason.MISSING_SIGNATURE;
      case BAD_SIGNATURE -> RejectionReason.BAD_SIGNATURE;
      case UNSAFE_ARCHIVE -> RejectionReason.UNSAFE_ARCHIVE;
      case FETCH_FAILED -> RejectionReason.FETCH_FAILED;
    };
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", dir, e.toString());
    }
  }

  /** Stops the thread (waits for a release being installed to finish) and closes the consumers. Idempotent. */
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
