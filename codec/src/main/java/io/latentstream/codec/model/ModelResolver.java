package io.latentstream.codec.model;

import io.latentstream.codec.UnknownModelException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Finds the loaded model for a version named in a bitstream. Implementations own the models they return (and close
 * them); callers must not close them. Implementations must be thread-safe.
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
   * Runs {@code work} with the model of {@code version} pinned ({@link CodecModel#lease()}) so that it cannot be
   * closed meanwhile: see {@link #withLease}.
   *
   * @throws UnknownModelException when the version is not available
   * @throws ModelClosedException when the model kept being closed before it could be pinned
   */
  default <T> T withModel(String version, Function<CodecModel, T> work) {
    return withLease(() -> resolve(version), work);
  }

  /**
   * The one retry of the project for models closed by a swap or an eviction: runs {@code work} with the model
   * {@code source} gives pinned ({@link CodecModel#lease()}), so that it cannot be closed while {@code work} runs.
   * Only the gap between taking the model and pinning it can see a model just closed; then it takes the model again
   * (at most {@link #MAX_RESOLVE_ATTEMPTS} times). {@code work} itself is run once.
   *
   * @param source the model to use, e.g. the current encoder or the resolved version; asked again on each attempt
   * @throws ModelClosedException when the model kept being closed before it could be pinned
   */
  static <T> T withLease(Supplier<CodecModel> source, Function<CodecModel, T> work) {
    for (int attempt = 1; ; attempt++) {
      CodecModel model = source.get();
      CodecModel.Lease lease;
      try {
        lease = model.lease();
      } catch (ModelClosedException e) {
        if (attempt >= MAX_RESOLVE_ATTEMPTS) {
          throw e;
        }
        continue;
      }
      try (lease) {
        return work.apply(model);
      }
    }
  }
}
