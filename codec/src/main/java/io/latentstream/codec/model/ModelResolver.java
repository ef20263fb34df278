package io.latentstream.codec.model;

import io.latentstream.codec.UnknownModelException;

/**
 * Finds the loaded model for a version named in a bitstream. Implementations own the models they return (and close
 * them); callers must not close them. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ModelResolver {
  /**
   * @throws UnknownModelException when the version is not available
   */
  CodecModel resolve(String version);
}
