package io.latentstream.codec;

/**
 * The result of {@link LearnedCodec#compress}: the bitstream (the LatentFrame {@code bitstream}
 * field and the {@code .lsf} file content) and what a caller reports about it. The byte array is
 * not copied; do not modify it.
 *
 * @param bitstream the LSF bytes
 * @param modelVersion the model that encoded it
 * @param width image width
 * @param height image height
 */
public record EncodedImage(byte[] bitstream, String modelVersion, int width, int height) {
  /** Bits per pixel: bitstream bytes x 8 / pixels (the whole bitstream, header included). */
  public double bpp() {
    return bitstream.length * 8.0 / ((long) width * height);
  }
}
