package io.latentstream.codec.model;

import io.latentstream.codec.CodecException;

/** A call reached a model after {@link CodecModel#close()} began; retry with the current model. */
public class ModelClosedException extends CodecException {
  public ModelClosedException(String version) {
    super("model " + version + " is closed");
  }
}
