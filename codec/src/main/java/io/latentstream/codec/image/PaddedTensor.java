package io.latentstream.codec.image;

/**
 * An image as the analysis transform sees it: float32 RGB in [0, 1], {@code [height, width, 3]}
 * row-major, padded by edge replication to a multiple of the stride. Grayscale becomes three equal
 * channels; {@link #toImage} crops back and returns one channel (mean of R, G, B) for GRAY8, so
 * gray images never pick up colour artefacts. Instances are not shared between threads.
 *
 * @param data {@code height * width * 3} floats
 * @param height padded height
 * @param width padded width
 */
public record PaddedTensor(float[] data, int height, int width) {
  private static final float[] TO_UNIT = new float[256];

  static {
    for (int i = 0; i < 256; i++) {
      TO_UNIT[i] = i / 255f;
    }
  }

  /**
   * Pads {@code image} up to multiples of {@code stride} by replicating its last row and column.
   */
  public static PaddedTensor of(PixelImage image, int stride) {
    int h = ceilToMultiple(image.height(), stride);
    int w = ceilToMultiple(image.width(), stride);
    float[] x = new float[h * w * 3];
    int channels = image.format().channels();
    byte[] p = image.pixels();
    if (channels == 3) {
      // RGB: each row is one run of bytes to convert, then the right padding repeats the last pixel
      int rowBytes = image.width() * 3;
      for (int i = 0; i < h; i++) {
        int src = Math.min(i, image.height() - 1) * rowBytes;
        int dst = i * w * 3;
        for (int k = 0; k < rowBytes; k++) {
          x[dst + k] = TO_UNIT[p[src + k] & 0xff];
        }
        for (int k = rowBytes; k < w * 3; k++) {
          x[dst + k] = x[dst + k - 3];
        }
      }
      return new PaddedTensor(x, h, w);
    }
    for (int i = 0; i < h; i++) {
      int srcRow = Math.min(i, image.height() - 1) * image.width();
      int dst = i * w * 3;
      for (int j = 0; j < w; j++) {
        int src = (srcRow + Math.min(j, image.width() - 1)) * channels;
        if (channels == 3) {
          x[dst] = TO_UNIT[p[src] & 0xff];
          x[dst + 1] = TO_UNIT[p[src + 1] & 0xff];
          x[dst + 2] = TO_UNIT[p[src + 2] & 0xff];
        } else {
          float g = TO_UNIT[p[src] & 0xff];
          x[dst] = g;
          x[dst + 1] = g;
          x[dst + 2] = g;
        }
        dst += 3;
      }
    }
    return new PaddedTensor(x, h, w);
  }

  /**
   * Crops to {@code width x height}, clips to [0, 1] and rounds to 8 bits in the given pixel
   * format.
   */
  public PixelImage toImage(
      int cropWidth, int cropHeight, PixelFormat format, ContainerFormat container) {
    if (cropWidth > width || cropHeight > height || data.length != height * width * 3) {
      throw new IllegalArgumentException(
          "crop " + cropWidth + "x" + cropHeight + " outside tensor " + width + "x" + height);
    }
    int channels = format.channels();
    byte[] out = new byte[cropWidth * cropHeight * channels];
    int o = 0;
    for (int i = 0; i < cropHeight; i++) {
      int src = i * width * 3;
      for (int j = 0; j < cropWidth; j++) {
        if (channels == 3) {
          out[o++] = to8(data[src]);
          out[o++] = to8(data[src + 1]);
          out[o++] = to8(data[src + 2]);
        } else {
          out[o++] = to8((data[src] + data[src + 1] + data[src + 2]) / 3f);
        }
        src += 3;
      }
    }
    return new PixelImage(cropWidth, cropHeight, format, out, container);
  }

  private static byte to8(float v) {
    if (!(v > 0f)) { // NaN and negatives
      return 0;
    }
    if (v >= 1f) {
      return (byte) 255;
    }
    return (byte) (int) (v * 255f + 0.5f);
  }

  public static int ceilToMultiple(int value, int stride) {
    return (value + stride - 1) / stride * stride;
  }
}
