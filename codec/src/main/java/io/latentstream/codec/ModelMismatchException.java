package io.latentstream.codec;

/**
 * A DELTA frame was made by another model than the chain the decoder holds (its model fingerprint
 * differs).
 */
public class ModelMismatchException extends CodecException {
  public ModelMismatchException(String message) {
    super(message);
  }
}
