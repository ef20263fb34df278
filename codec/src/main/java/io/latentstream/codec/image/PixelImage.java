package io.latentstream.codec.image;

import io.latentstream.codec.InvalidImageException;
import java.util.Optional;

/**
 * An 8-bit image in memory: row-major, interleaved channels ({@link PixelFormat}). The pixel array
 * is owned by the instance and never copied defensively (frames are large); callers must not modify
 * it after construction, and then an instance is safe to share between threads.
 *
 * @param width pixels per row, 1..{@link #MAX_DIMENSION}
 * @param height rows, 1..{@link #MAX_DIMENSION}
 * @param format pixel layout
 * @param pixels {@code width * height * format.channels()} bytes
 * @param container the container format the image was read from (informational)
 */
public record PixelImage(
    int width, int height, PixelFormat format, byte[] pixels, ContainerFormat container) {
  /** Largest accepted width or height. */
  public static final int MAX_DIMENSION = 16384;

  /**
   * Largest accepted pixel count (about 67 megapixels), so that no header can make us allocate
   * gigabytes.
   */
  public static final long MAX_PIXELS = 1L << 26;

  public PixelImage {
    checkDimensions(width, height);
    if (format == null || pixels == null) {
      throw new InvalidImageException("format and pixels are required");
    }
    long expected = (long) width * height * format.channels();
    if (pixels.length != expected) {
      throw new InvalidImageException(
          "pixel buffer has "
              + pixels.length
              + " bytes, "
              + width
              + "x"
              + height
              + " "
              + format
              + " needs "
              + expected);
    }
    if (container == null) {
      container = ContainerFormat.RAW;
    }
  }

  public PixelImage(int width, int height, PixelFormat format, byte[] pixels) {
    this(width, height, format, pixels, ContainerFormat.RAW);
  }

  /**
   * Rejects absurd dimensions before anything is allocated.
   *
   * @throws InvalidImageException when a side is not in 1..MAX_DIMENSION or the area exceeds
   *     MAX_PIXELS
   */
  public static void checkDimensions(long width, long height) {
    if (width < 1 || height < 1 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
      throw new InvalidImageException(
          "image size " + width + "x" + height + " outside 1.." + MAX_DIMENSION + " per side");
    }
    if (width * height > MAX_PIXELS) {
      throw new InvalidImageException(
          "image size " + width + "x" + height + " exceeds " + MAX_PIXELS + " pixels");
    }
  }

  /**
   * What is wrong when {@code actual} bytes are not the headerless pixels of a {@code width x
   * height} image in {@code format}, e.g. "RGB24 64x48 needs 9216 bytes, the frame has 9215"; empty
   * when they are.
   *
   * @param holder what holds the bytes, for the message
   */
  public static Optional<String> rawSizeMismatch(
      int width, int height, PixelFormat format, long actual, String holder) {
    long expected = (long) width * height * format.channels();
    if (actual == expected) {
      return Optional.empty();
    }
    return Optional.of(
        format
            + " "
            + width
            + "x"
            + height
            + " needs "
            + expected
            + " bytes, "
            + holder
            + " has "
            + actual);
  }

  public long pixelCount() {
    return (long) width * height;
  }

  /** Unsigned sample at (row, column, channel). */
  public int sample(int row, int column, int channel) {
    return pixels[(row * width + column) * format.channels() + channel] & 0xff;
  }
}
