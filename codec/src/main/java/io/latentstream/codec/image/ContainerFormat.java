package io.latentstream.codec.image;

/**
 * The container an image arrived in; kept in the bitstream so a decoder can write the same kind
 * back.
 */
public enum ContainerFormat {
  RAW,
  PNG,
  JPEG
}
