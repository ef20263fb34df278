package io.latentstream.streams.model;

import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.UnknownModelException;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.ModelCatalog;
import io.latentstream.codec.model.ModelPackageException;
import io.latentstream.codec.model.ModelResolver;
import io.latentstream.schemas.artifacts.ArtifactException;
import io.latentstream.schemas.artifacts.ReleaseInstaller;
import io.latentstream.streams.config.StreamsAppConfig;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of one streams instance: the current encoder model, swapped atomically on a new
 * release, and an LRU of older versions kept loadable so that every frame decodes with the version
 * that encoded it.
 *
 * <p>Encoding reads the current model through one {@link AtomicReference}; {@link
 * #swap(CodecModel)} replaces it and moves the previous model into the LRU of older versions
 * (frames it encoded are still decoded with it). A model evicted from the LRU is closed: {@link
 * CodecModel#close()} waits for the calls in flight on it. Callers pin the model they use ({@link
 * ModelResolver#withLease}, as {@link #compress} and {@link LearnedCodec#decompress} do), so only
 * the moment between taking a model and pinning it can see one just closed, and that is retried
 * there. Versions not loaded are loaded lazily by {@link #resolve(String)} from the models
 * directory, where the release watcher also unpacks fetched packages, or, when the directory lacks
 * them, fetched through the watcher from the releases it has seen ({@link #fetchWith}), so that
 * every retained frame decodes on every instance.
 *
 * <p>Every load of a package directory (the first encoder, a swap's package, an older version for
 * decoding) passes {@link ReleaseInstaller#verifyInstalled} first when an installer is set ({@link
 * #verifyWith}): a package that came from a release is loaded only while its signed release still
 * verifies and its files still match it.
 *
 * <p>Thread-safe. The registry owns every model it holds, including one passed to {@link #swap},
 * and closes them in {@link #close()}; callers never close a model obtained from it.
 */
public final class ActiveModels implements ModelResolver, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ActiveModels.class);
  private static final int RECENT_REJECTIONS = 20;

  private final ModelCatalog catalog;
  private final String modelName;
  private final int cacheSize;
  private final Function<Path, CodecModel> loader;
  private volatile ReleaseInstaller installer;
  private volatile Function<String, Optional<Path>> remote = v -> Optional.empty();
  private final AtomicReference<CodecModel> current = new AtomicReference<>();

  /** Older versions by version, least recently used first. Guarded by {@code this}. */
  private final LinkedHashMap<String, CodecModel> older = new LinkedHashMap<>(16, 0.75f, true);

  /** Serializes lazy loads so that one version is loaded once. */
  private final Object loadLock = new Object();

  private final AtomicLong swaps = new AtomicLong();
  private final Map<RejectionReason, AtomicLong> rejections = new EnumMap<>(RejectionReason.class);
  private final ArrayDeque<Rejection> recentRejections = new ArrayDeque<>(); // guarded by itself
  private volatile Instant lastSwap;
  private volatile boolean closed;

  /** One refused release, for the {@code /models} listing. */
  public record Rejection(String version, RejectionReason reason, String message, Instant at) {}

  /**
   * @param modelsDir directory of bundled and fetched packages
   * @param modelName package name this instance encodes with, e.g. {@code default-q3}
   * @param cacheSize how many older versions stay loaded at most (least recently used is closed
   *     first)
   */
  public ActiveModels(Path modelsDir, String modelName, int cacheSize) {
    this(modelsDir, modelName, cacheSize, CodecModel::load);
  }

  /**
   * @param loader loads a package directory (tests slow it down to widen races)
   */
  ActiveModels(Path modelsDir, String modelName, int cacheSize, Function<Path, CodecModel> loader) {
    if (cacheSize < 1) {
      throw new IllegalArgumentException("cacheSize must be >= 1");
    }
    this.catalog =
        new ModelCatalog(modelsDir, 1); // only used to locate packages, never to load them
    this.modelName = modelName;
    this.cacheSize = cacheSize;
    this.loader = loader;
    for (RejectionReason r : RejectionReason.values()) {
      rejections.put(r, new AtomicLong());
    }
  }

  /**
   * A registry for {@code model.name}-q{@code model.quality} in {@code models.dir}, with the newest
   * such package in that directory loaded as the encoder. When the directory has none yet, the
   * registry starts empty (a warning is logged) and the release watcher installs the model found on
   * {@code models.releases}: see {@link #awaitModel}.
   *
   * @throws io.latentstream.codec.CodecException when a package exists but fails verification or
   *     loading
   */
  public static ActiveModels open(StreamsAppConfig config) {
    String family = config.getString(StreamsAppConfig.MODEL_NAME);
    int quality = config.getInt(StreamsAppConfig.MODEL_QUALITY);
    Path dir = Paths.get(config.getString(StreamsAppConfig.MODELS_DIR));
    ActiveModels activeModels =
        new ActiveModels(
            dir, family + "-q" + quality, config.getInt(StreamsAppConfig.MODEL_CACHE_SIZE));
    activeModels.verifyWith(ReleaseWatcher.installer(config, dir));
    activeModels.loadNewestLocal();
    return activeModels;
  }

  /** Loads the newest local package of {@link #modelName()} as the encoder, if there is one. */
  public void loadNewestLocal() {
    Path dir;
    try {
      dir = catalog.locate(modelName, null);
    } catch (UnknownModelException e) {
      LOG.warn(
          "no local package of {} in {}; waiting for a release on Kafka",
          modelName,
          catalog.modelsDir());
      return;
    }
    swap(load(dir));
  }

  /**
   * Checks every package directory against its stored release before loading it (see the class
   * comment). Set it before the first load.
   */
  public void verifyWith(ReleaseInstaller installer) {
    this.installer = installer;
  }

  /**
   * Where {@link #resolve} gets a version the models directory lacks: a function that installs it
   * there and returns its directory, or empty when no release of it is known.
   */
  public void fetchWith(Function<String, Optional<Path>> fetch) {
    this.remote = fetch;
  }

  /**
   * Loads a package directory after checking it against its stored release.
   *
   * @throws ModelPackageException.IntegrityException when the package no longer matches its signed
   *     release
   */
  CodecModel load(Path dir) {
    ReleaseInstaller check = installer;
    if (check != null) {
      try {
        check.verifyInstalled(dir);
      } catch (ArtifactException e) {
        throw new ModelPackageException.IntegrityException(
            dir, "does not match its release (" + e.problem() + "): " + e.getMessage());
      }
    }
    return loader.apply(dir);
  }

  /** The package name this instance encodes with, e.g. {@code default-q3}. */
  public String modelName() {
    return modelName;
  }

  public Path modelsDir() {
    return catalog.modelsDir();
  }

  /**
   * The current encoder model; do not close it.
   *
   * @throws UnknownModelException while no model is loaded yet
   */
  public CodecModel currentEncoder() {
    CodecModel m = current.get();
    if (m == null) {
      throw new UnknownModelException(
          modelName,
          "no model "
              + modelName
              + " loaded yet (none in "
              + catalog.modelsDir()
              + " and none released on Kafka so far)");
    }
    return m;
  }

  /** Version of the current encoder, or empty before the first model arrives. */
  public Optional<String> currentVersionIfLoaded() {
    CodecModel m = current.get();
    return m == null ? Optional.empty() : Optional.of(m.version());
  }

  /**
   * Version of the current encoder.
   *
   * @throws UnknownModelException while no model is loaded yet
   */
  public String currentVersion() {
    return currentEncoder().version();
  }

  public boolean hasModel() {
    return current.get() != null;
  }

  /**
   * Waits until a model is loaded (e.g. by the release watcher at start).
   *
   * @return whether one is loaded
   */
  public boolean awaitModel(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (current.get() == null && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        Duration d = Duration.ofNanos(left);
        wait(Math.max(1, d.toMillis()));
      }
    }
    return current.get() != null;
  }

  /**
   * A codec encoding with the current model and decoding any bitstream with the version that
   * encoded it. Cheap: take a fresh one per record so that a swap takes effect at the next record.
   */
  public LearnedCodec codec() {
    return new LearnedCodec(currentEncoder(), this);
  }

  /**
   * Compresses with the current model, pinned for the call so that a swap meanwhile cannot close it
   * under the frame ({@link ModelResolver#withLease}).
   */
  public EncodedImage compress(PixelImage image) {
    return ModelResolver.withLease(
        this::currentEncoder, model -> LearnedCodec.of(model).compress(image));
  }

  /** Decompresses with the version named in the bitstream (see {@link LearnedCodec#decompress}). */
  public PixelImage decompress(byte[] bitstream) {
    return new LearnedCodec(null, this).decompress(bitstream);
  }

  /**
   * Makes {@code next} the current encoder. The previous model moves to the LRU of older versions
   * (still used to decode its frames); a model evicted from there is closed once its in-flight
   * calls finish. The registry takes ownership of {@code next}.
   *
   * @throws IllegalStateException after {@link #close()} (and closes {@code next})
   */
  public void swap(CodecModel next) {
    List<CodecModel> toClose = new ArrayList<>();
    CodecModel prev;
    synchronized (this) {
      if (closed) {
        next.close();
        throw new IllegalStateException("the active models are closed");
      }
      prev = current.getAndSet(next);
      CodecModel sameVersion = older.remove(next.version());
      if (sameVersion != null && sameVersion != next) {
        toClose.add(sameVersion);
      }
      if (prev != null && prev != next) {
        if (prev.version().equals(next.version())) {
          toClose.add(prev);
        } else {
          CodecModel replaced = older.put(prev.version(), prev);
          if (replaced != null && replaced != prev) {
            toClose.add(
                replaced); // a copy resolve() loaded while prev was current: never leave one
            // unclosed
          }
        }
      }
      toClose.addAll(evictLocked());
      lastSwap = Instant.now();
      notifyAll();
    }
    swaps.incrementAndGet();
    LOG.info(
        "encoder model is now {} (was {})", next.version(), prev == null ? "none" : prev.version());
    toClose.forEach(CodecModel::close); // outside the lock: close() waits for in-flight calls
  }

  /**
   * The loaded model of a version: the current one, an older one in the LRU, or one loaded now from
   * the models directory. Do not close it.
   *
   * @throws UnknownModelException when no package of that version is in the models directory
   */
  @Override
  public CodecModel resolve(String version) {
    CodecModel m = lookup(version);
    if (m != null) {
      return m;
    }
    synchronized (loadLock) {
      m = lookup(version);
      if (m != null) {
        return m;
      }
      Path dir = locateVersion(version);
      CodecModel loaded = load(dir);
      List<CodecModel> toClose = new ArrayList<>();
      CodecModel result = loaded;
      synchronized (this) {
        if (closed) {
          loaded.close();
          throw new IllegalStateException("the active models are closed");
        }
        // a swap may have made this version current (or moved it to the LRU) while it was loading:
        // keep one copy
        CodecModel cur = current.get();
        CodecModel held = older.get(version);
        if (cur != null && cur.version().equals(version) && !cur.isClosed()) {
          result = cur;
        } else if (held != null && !held.isClosed()) {
          result = held;
        } else {
          CodecModel replaced = older.put(version, loaded);
          if (replaced != null) {
            toClose.add(replaced);
          }
          toClose.addAll(evictLocked());
        }
        if (result != loaded) {
          toClose.add(loaded);
        }
      }
      if (result == loaded) {
        LOG.info("loaded older model {} for decoding", version);
      }
      toClose.forEach(CodecModel::close);
      return result;
    }
  }

  private CodecModel lookup(String version) {
    CodecModel cur = current.get();
    if (cur != null && cur.version().equals(version) && !cur.isClosed()) {
      return cur;
    }
    synchronized (this) {
      CodecModel m = older.get(version);
      return m != null && !m.isClosed() ? m : null;
    }
  }

  private Path locateVersion(String version) {
    for (ModelCatalog.Entry e : catalog.entries()) {
      if (e.version().equals(version)) {
        return e.directory();
      }
    }
    Optional<Path> fetched = remote.apply(version);
    if (fetched.isPresent()) {
      return fetched.get();
    }
    throw new UnknownModelException(
        version,
        "model version "
            + version
            + " is not loaded, not in "
            + catalog.modelsDir()
            + " and no release of it is known");
  }

  /** Removes least recently used older models beyond the cache size; returns them for closing. */
  private List<CodecModel> evictLocked() {
    List<CodecModel> evicted = new ArrayList<>();
    Iterator<Map.Entry<String, CodecModel>> it = older.entrySet().iterator();
    while (older.size() - evicted.size() > cacheSize && it.hasNext()) {
      evicted.add(it.next().getValue());
      it.remove();
    }
    return evicted;
  }

  /** Whether a version is loaded now (current or in the LRU), without loading it. */
  public boolean isLoaded(String version) {
    return lookup(version) != null;
  }

  /**
   * Versions loaded now: the current one first, then older ones from most to least recently used.
   */
  public synchronized List<String> loadedVersions() {
    List<String> out = new ArrayList<>();
    CodecModel cur = current.get();
    if (cur != null) {
      out.add(cur.version());
    }
    List<String> rest = new ArrayList<>(older.keySet());
    Collections.reverse(rest);
    out.addAll(rest);
    return out;
  }

  /** Number of swaps of the encoder model (the initial load counts as one). */
  public long swapCount() {
    return swaps.get();
  }

  public Optional<Instant> lastSwap() {
    return Optional.ofNullable(lastSwap);
  }

  /**
   * Records a refused release: counted, logged by the caller, listed by {@link
   * #recentRejections()}.
   */
  public void recordRejection(String version, RejectionReason reason, String message) {
    rejections.get(reason).incrementAndGet();
    synchronized (recentRejections) {
      recentRejections.addLast(new Rejection(version, reason, message, Instant.now()));
      while (recentRejections.size() > RECENT_REJECTIONS) {
        recentRejections.removeFirst();
      }
    }
  }

  /** Releases refused for this reason since start. */
  public long rejectionCount(RejectionReason reason) {
    return rejections.get(reason).get();
  }

  /** Rejection counts of every reason (zeros included). */
  public Map<RejectionReason, Long> rejectionCounts() {
    Map<RejectionReason, Long> out = new EnumMap<>(RejectionReason.class);
    rejections.forEach((r, n) -> out.put(r, n.get()));
    return out;
  }

  /** The last few rejections, oldest first. */
  public List<Rejection> recentRejections() {
    synchronized (recentRejections) {
      return List.copyOf(recentRejections);
    }
  }

  /** Closes every model (each waits for its in-flight calls). Idempotent. */
  @Override
  public void close() {
    List<CodecModel> toClose = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      CodecModel cur = current.getAndSet(null);
      if (cur != null) {
        toClose.add(cur);
      }
      toClose.addAll(older.values());
      older.clear();
      notifyAll();
    }
    toClose.forEach(CodecModel::close);
  }
}
