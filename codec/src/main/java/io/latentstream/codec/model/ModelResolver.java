package io.latentstream.codec.model;

import io.latentstream.codec.UnknownModelException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Finds the loaded model for a version named in a bitstream. Implementations own the models they
 * return (and close them); callers must not close them. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ModelResolver {
  /** How often {@link #withModel} resolves again when the model it got was closed in between. */
  int MAX_RESOLVE_ATTEMPTS = 5;

  /**
   * @throws UnknownModelException when the version is not available
   */
  CodecModel resolve(String version);

  /**
   * Runs {@code work} with the model of {@code version} pinned ({@link CodecModel#lease()}) so that
   * it cannot be closed meanwhile: see {@link #withLease}.
   *
   * @throws UnknownModelException when the version is not available
   * @throws ModelClosedException when the model kept being closed before it could be pinned
   */
  default <T> T withModel(String version, Function<CodecModel, T> work) {
    return withLease(() -> resolve(version), work);
  }

  /**
   * The one retry of the project for models closed by a swap or an eviction: runs {@code work} with
   * the model {@code source} gives pinned ({@link #pin}), so that it cannot be closed while {@code
   * work} runs. {@code work} itself is run once.
   *
   * @param source the model to use, e.g. the current encoder or the resolved version; asked again
   *     on each attempt
   * @throws ModelClosedException when the model kept being closed before it could be pinned
   */
  static <T> T withLease(Supplier<CodecModel> source, Function<CodecModel, T> work) {
    try (Pinned pinned = pin(source)) {
      return work.apply(pinned.model());
    }
  }

  /**
   * Takes the model {@code source} gives and pins it ({@link CodecModel#lease()}) until the result
   * is closed, on this thread. Only the gap between taking the model and pinning it can see a model
   * just closed; then it takes the model again (at most {@link #MAX_RESOLVE_ATTEMPTS} times).
   *
   * @throws ModelClosedException when the model kept being closed before it could be pinned
   */
  static Pinned pin(Supplier<CodecModel> source) {
    for (int attempt = 1; ; attempt++) {
      CodecModel model = source.get();
      try {
        return new Pinned(model, model.lease());
      } catch (ModelClosedException e) {
        if (attempt >= MAX_RESOLVE_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /**
   * A model pinned by {@link #pin}: it stays open until this is closed (on the thread that pinned
   * it).
   */
  record Pinned(CodecModel model, CodecModel.Lease lease) implements AutoCloseable {
    @Override
    public void close() {
      lease.close();
    }
  }
}
