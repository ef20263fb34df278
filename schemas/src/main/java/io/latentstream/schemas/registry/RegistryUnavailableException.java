package io.latentstream.schemas.registry;

/**
 * The registry could not be reached, or kept answering 5xx/429, for all configured attempts. Transient: callers
 * should not treat the data they were processing as bad.
 */
public class RegistryUnavailableException extends SchemaRegistryException {

  public RegistryUnavailableException(String message, int lastHttpStatus, Throwable lastCause) {
    super(message, lastHttpStatus, NO_ERROR_CODE, lastCause);
  }
}
