package io.latentstream.schemas.registry;

/**
 * The schema is not compatible with the subject's earlier versions under its compatibility level
 * (HTTP 409).
 */
public class IncompatibleSchemaException extends SchemaRegistryException {

  public IncompatibleSchemaException(String message, int httpStatus, int errorCode) {
    super(message, httpStatus, errorCode);
  }
}
