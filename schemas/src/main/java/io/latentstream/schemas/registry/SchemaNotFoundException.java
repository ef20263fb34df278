package io.latentstream.schemas.registry;

/**
 * No schema has this id, or the schema is not registered under the subject (HTTP 404, error code
 * 40403).
 */
public class SchemaNotFoundException extends SchemaRegistryException {

  public SchemaNotFoundException(String message, int httpStatus, int errorCode) {
    super(message, httpStatus, errorCode);
  }
}
