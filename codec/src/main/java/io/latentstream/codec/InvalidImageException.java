package io.latentstream.codec;

/**
 * The input image is unreadable, empty, too large, or its pixel buffer does not match its declared
 * size.
 */
public class InvalidImageException extends CodecException {
  public InvalidImageException(String message) {
    super(message);
  }

  public InvalidImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
