package io.latentstream.schemas.registry;

/**
 * The registry rejected the request's content: an unparsable schema, version or compatibility level
 * (HTTP 422).
 */
public class InvalidSchemaException extends SchemaRegistryException {

  public InvalidSchemaException(String message, int httpStatus, int errorCode) {
    super(message, httpStatus, errorCode);
  }
}
