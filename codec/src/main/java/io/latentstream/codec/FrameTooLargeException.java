package io.latentstream.codec;

/**
 * A bitstream claims a larger image than the decoder's {@link DecodeLimits} accept; nothing was
 * allocated for it.
 */
public class FrameTooLargeException extends CodecException {
  public FrameTooLargeException(String message) {
    super(message);
  }
}
