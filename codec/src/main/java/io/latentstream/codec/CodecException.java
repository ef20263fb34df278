package io.latentstream.codec;

/**
 * Root of every failure the codec reports on purpose: invalid input images, corrupt bitstreams,
 * unknown or broken model packages, missing native libraries. Unchecked so that stream processors
 * can route it to a dead-letter topic without wrapping; anything else thrown from the codec is a
 * bug.
 */
public class CodecException extends RuntimeException {
  public CodecException(String message) {
    super(message);
  }

  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
