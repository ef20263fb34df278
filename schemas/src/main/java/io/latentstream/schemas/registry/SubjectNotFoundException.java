package io.latentstream.schemas.registry;

/** The subject does not exist (HTTP 404, error code 40401). */
public class SubjectNotFoundException extends SchemaRegistryException {

  public SubjectNotFoundException(String message, int httpStatus, int errorCode) {
    super(message, httpStatus, errorCode);
  }
}
