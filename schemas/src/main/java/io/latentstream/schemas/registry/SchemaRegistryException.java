package io.latentstream.schemas.registry;

/**
 * A request to the schema registry failed. Carries the HTTP status and the registry's own error
 * code and message (Confluent's {@code {"error_code": 40401, "message": "..."}} body) where the
 * server sent them.
 *
 * <p>Subclasses name the cases callers act on; anything else (401, 403, an unexpected 4xx) is this
 * base type.
 */
public class SchemaRegistryException extends RuntimeException {

  /** No HTTP response was received (e.g. connection refused). */
  public static final int NO_STATUS = -1;

  /** The server sent no error code. */
  public static final int NO_ERROR_CODE = -1;

  private final int httpStatus;
  private final int errorCode;

  public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  public SchemaRegistryException(String message, int httpStatus, int errorCode) {
    this(message, httpStatus, errorCode, null);
  }

  /** HTTP status of the failed response, or {@link #NO_STATUS}. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Registry error code (e.g. 40401), or {@link #NO_ERROR_CODE}. */
  public int errorCode() {
    return errorCode;
  }
}
