package io.latentstream.codec;

import io.latentstream.codec.bitstream.LsfHeader;
import io.latentstream.codec.image.PixelImage;

/**
 * What a decoder accepts from a KEY frame's header before it allocates anything for it. A header
 * names the image size, and the latent, the symbol buffer and the picture are allocated from it; a
 * few bytes claiming a huge image would otherwise cost hundreds of megabytes per frame. A service
 * sets the same pixel limit it accepts for input frames (the streams app: {@code
 * frame.max.pixels}); the format's own limit ({@link PixelImage#MAX_PIXELS}) applies either way.
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxPixels the largest width*height a frame may claim, 1..{@link PixelImage#MAX_PIXELS}
 */
public record DecodeLimits(long maxPixels) {

  /** The format's own limits: what any well-formed bitstream may claim. */
  public static final DecodeLimits DEFAULT = new DecodeLimits(PixelImage.MAX_PIXELS);

  public DecodeLimits {
    if (maxPixels < 1 || maxPixels > PixelImage.MAX_PIXELS) {
      throw new IllegalArgumentException(
          "maxPixels " + maxPixels + " outside 1.." + PixelImage.MAX_PIXELS);
    }
  }

  /** Limits of at most {@code maxPixels} (any positive number; capped at the format's limit). */
  public static DecodeLimits ofMaxPixels(long maxPixels) {
    return new DecodeLimits(Math.min(maxPixels, PixelImage.MAX_PIXELS));
  }

  /**
   * Checks what a KEY frame's header claims.
   *
   * @throws FrameTooLargeException when the image is larger than these limits
   */
  public void check(LsfHeader header) {
    long pixels = (long) header.width() * header.height();
    if (pixels > maxPixels) {
      throw new FrameTooLargeException(
          "frame claims "
              + header.width()
              + "x"
              + header.height()
              + " = "
              + pixels
              + " pixels, more than the "
              + maxPixels
              + " this decoder accepts");
    }
  }
}
