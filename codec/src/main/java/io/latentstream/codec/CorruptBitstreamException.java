package io.latentstream.codec;

/** A bitstream is truncated, corrupted, or inconsistent with the model it names. */
public class CorruptBitstreamException extends CodecException {
  public CorruptBitstreamException(String message) {
    super(message);
  }

  public CorruptBitstreamException(String message, Throwable cause) {
    super(message, cause);
  }
}
