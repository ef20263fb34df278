package io.latentstream.codec.model;

import ai.djl.MalformedModelException;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import io.latentstream.codec.CodecException;
import io.latentstream.codec.entropy.EntropyModel;
import io.latentstream.codec.image.PaddedTensor;
import io.latentstream.codec.model.ModelPackageException.ModelLoadException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded model package: the analysis transform g_a (encoder SavedModel), the synthesis transform
 * g_s (decoder SavedModel) and the entropy bottleneck's tables.
 *
 * <p><b>Thread safety.</b> One instance is shared by all threads; each call borrows a DJL Predictor
 * of its own ({@link PredictorPool}) and uses a per-call NDManager. Every call holds the read side
 * of a read-write lock, and {@link #close()} takes the write side: it first marks the model closed
 * (new calls fail fast with {@link ModelClosedException}), then waits until every in-flight call
 * has finished, and only then frees the native models. Closing a TensorFlow model while another
 * thread predicts on it crashes the JVM (docs/tensorflow-djl.md), which this protocol rules out.
 * Whoever loaded the model closes it; closing twice is harmless.
 */
public final class CodecModel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CodecModel.class);

  private final ModelPackage pkg;
  private final ZooModel<PaddedTensor, Latent> encoder;
  private final ZooModel<Latent, PaddedTensor> decoder;
  private final PredictorPool<PaddedTensor, Latent> encoders;
  private final PredictorPool<Latent, PaddedTensor> decoders;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile boolean closed;
  private boolean freed; // guarded by the write lock

  private CodecModel(
      ModelPackage pkg,
      ZooModel<PaddedTensor, Latent> encoder,
      ZooModel<Latent, PaddedTensor> decoder) {
    this.pkg = pkg;
    this.encoder = encoder;
    this.decoder = decoder;
    this.encoders = new PredictorPool<>(encoder);
    this.decoders = new PredictorPool<>(decoder);
  }

  /** Verifies and loads a package directory; see {@link #load(ModelPackage)}. */
  public static CodecModel load(Path packageDir) {
    return load(ModelPackage.open(packageDir));
  }

  /**
   * Loads both SavedModels of a verified package and runs one warm-up frame through them.
   *
   * @throws ModelLoadException naming the SavedModel directory that failed
   * @throws NativeLibraryException when TensorFlow cannot start
   */
  public static CodecModel load(ModelPackage pkg) {
    TensorFlowRuntime.engine();
    long start = System.nanoTime();
    ModelManifest m = pkg.manifest();
    ZooModel<PaddedTensor, Latent> enc =
        loadSavedModel(
            pkg.encoderDir(),
            m.encoder().key(),
            Criteria.builder()
                .setTypes(PaddedTensor.class, Latent.class)
                .optTranslator(new AnalysisTranslator(m)));
    ZooModel<Latent, PaddedTensor> dec;
    try {
      dec =
          loadSavedModel(
              pkg.decoderDir(),
              m.decoder().key(),
              Criteria.builder()
                  .setTypes(Latent.class, PaddedTensor.class)
                  .optTranslator(new SynthesisTranslator(m)));
    } catch (RuntimeException e) {
      enc.close();
      throw e;
    }
    CodecModel model = new CodecModel(pkg, enc, dec);
    try {
      model.warmUp();
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    LOG.info(
        "loaded model {} (M={}, stride={}) in {} ms",
        m.version(),
        m.latentChannels(),
        m.stride(),
        (System.nanoTime() - start) / 1_000_000);
    return model;
  }

  private static <I, O> ZooModel<I, O> loadSavedModel(
      Path dir, String signature, Criteria.Builder<I, O> builder) {
    try {
      return builder
          .optModelPath(dir)
          .optEngine("TensorFlow")
          .optOption("Tags", "serve")
          .optOption("SignatureDefKey", signature)
          .build()
          .loadModel();
    } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
      throw new ModelLoadException(dir, "SavedModel does not load: " + e.getMessage(), e);
    }
  }

  /**
   * One frame of stride x stride through both transforms: catches wrong signatures and shapes at
   * load time.
   */
  private void warmUp() {
    int s = pkg.manifest().stride();
    float[] gray = new float[s * s * 3];
    java.util.Arrays.fill(gray, 0.5f);
    Latent y;
    try {
      y = analyze(new PaddedTensor(gray, s, s));
    } catch (RuntimeException e) {
      throw new ModelLoadException(pkg.encoderDir(), "warm-up frame failed: " + e.getMessage(), e);
    }
    try {
      int[] q = pkg.entropy().quantize(y.data());
      PaddedTensor xHat = synthesize(new Latent(pkg.entropy().dequantize(q), 1, 1, y.channels()));
      for (float v : xHat.data()) {
        if (!Float.isFinite(v)) {
          throw new CodecException("non-finite output");
        }
      }
    } catch (RuntimeException e) {
      throw new ModelLoadException(pkg.decoderDir(), "warm-up frame failed: " + e.getMessage(), e);
    }
  }

  /** The analysis transform: padded image to latent {@code y} (before quantization). */
  public Latent analyze(PaddedTensor x) {
    int s = pkg.manifest().stride();
    if (x.height() % s != 0 || x.width() % s != 0) {
      throw new IllegalArgumentException(
          "input " + x.width() + "x" + x.height() + " is not a multiple of " + s);
    }
    enter();
    try {
      return encoders.predict(x);
    } catch (TranslateException e) {
      throw new CodecException("analysis transform failed: " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The synthesis transform: dequantized latent to padded reconstruction (not yet clipped). */
  public PaddedTensor synthesize(Latent yHat) {
    if (yHat.channels() != pkg.manifest().latentChannels()) {
      throw new IllegalArgumentException(
          "latent has "
              + yHat.channels()
              + " channels, model wants "
              + pkg.manifest().latentChannels());
    }
    enter();
    try {
      return decoders.predict(yHat);
    } catch (TranslateException e) {
      throw new CodecException("synthesis transform failed: " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  private void enter() {
    boolean leased =
        lock.getReadHoldCount() > 0; // this thread holds a lease: the model cannot be freed
    lock.readLock().lock();
    if (closed && !leased) {
      lock.readLock().unlock();
      throw new ModelClosedException(version());
    }
  }

  /**
   * Pins the model for a sequence of calls by this thread: until the lease is closed, {@link
   * #close()} waits and the calls of this thread do not fail with {@link ModelClosedException}.
   * Close the lease on the same thread.
   *
   * @throws ModelClosedException when the model is already closing
   */
  public Lease lease() {
    lock.readLock().lock();
    if (closed) {
      lock.readLock().unlock();
      throw new ModelClosedException(version());
    }
    return new Lease(lock);
  }

  /**
   * A pin on a model, see {@link #lease()}. Not thread-safe: close it on the thread that took it.
   */
  public static final class Lease implements AutoCloseable {
    private final ReentrantReadWriteLock lock;
    private boolean released;

    private Lease(ReentrantReadWriteLock lock) {
      this.lock = lock;
    }

    @Override
    public void close() {
      if (!released) {
        released = true;
        lock.readLock().unlock();
      }
    }
  }

  public ModelPackage modelPackage() {
    return pkg;
  }

  public ModelManifest manifest() {
    return pkg.manifest();
  }

  public EntropyModel entropy() {
    return pkg.entropy();
  }

  public String version() {
    return pkg.manifest().version();
  }

  public boolean isClosed() {
    return closed;
  }

  /**
   * Marks the model closed, waits for in-flight calls, then frees the native models. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    lock.writeLock().lock();
    try {
      if (!freed) {
        freed = true;
        encoders.close();
        decoders.close();
        encoder.close();
        decoder.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
