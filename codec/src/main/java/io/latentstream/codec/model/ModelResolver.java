package io.latentstream.codec.model;

import io.latentstream.codec.UnknownModelException;
import java.util.function.Function;

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
   * closed meanwhile. Only the gap between resolving and pinning can see a model the resolver has just evicted; then
   * it resolves again (a few times).
   *
   * @throws UnknownModelException when the version is not available
   * @throws ModelClosedException when the model kept being closed before it could be pinned
   */
  default <T> T withModel(String version, Function<CodecModel, T> work) {
    for (int attempt = 1; ; attempt++) {
      CodecModel model = resolve(version);
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
