package io.latentstream.codec.model;

import io.latentstream.codec.CodecException;

/**
 * The TensorFlow native libraries are missing or do not load; the message names where we looked and
 * how to fix it.
 */
public class NativeLibraryException extends CodecException {
  public NativeLibraryException(String message, Throwable cause) {
    super(message, cause);
  }
}
