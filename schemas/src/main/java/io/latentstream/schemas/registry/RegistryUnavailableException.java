package io.latentstream.schemas.registry;

/**
 * The registry could not be reached, or kept answering 5xx/429, for all configured attempts.
 * Transient: callers should not treat the data they were processing as bad.
 */
public class RegistryUnavailableException extends SchemaRegistryException {

  public RegistryUnavailableException(String message, int lastHttpStatus, Throwable lastCause) {
    super(message, lastHttpStatus, NO_ERROR_CODE, lastCause);
  }

  /**
   * Whether {@code failure} or one of its causes is this exception: what was being read is not at
   * fault, and reading it again once the registry is back can succeed.
   */
  public static boolean isCauseOf(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RegistryUnavailableException) {
        return true;
      }
    }
    return false;
  }
}
