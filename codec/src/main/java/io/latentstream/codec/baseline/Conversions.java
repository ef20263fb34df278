package io.latentstream.codec.baseline;

import io.latentstream.codec.image.ContainerFormat;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;

/**
 * Brings a decoded baseline image into the original's pixel format so that metrics compare like
 * with like.
 */
final class Conversions {
  private Conversions() {}

  static PixelImage like(PixelImage decoded, PixelImage original, ContainerFormat container) {
    if (decoded.format() == original.format()) {
      return decoded;
    }
    int n = decoded.width() * decoded.height();
    byte[] src = decoded.pixels();
    if (original.format() == PixelFormat.GRAY8) {
      byte[] gray = new byte[n];
      for (int i = 0; i < n; i++) {
        gray[i] =
            (byte)
                Math.round(
                    ((src[3 * i] & 0xff) + (src[3 * i + 1] & 0xff) + (src[3 * i + 2] & 0xff)) / 3f);
      }
      return new PixelImage(decoded.width(), decoded.height(), PixelFormat.GRAY8, gray, container);
    }
    byte[] rgb = new byte[n * 3];
    for (int i = 0; i < n; i++) {
      rgb[3 * i] = src[i];
      rgb[3 * i + 1] = src[i];
      rgb[3 * i + 2] = src[i];
    }
    return new PixelImage(decoded.width(), decoded.height(), PixelFormat.RGB24, rgb, container);
  }
}
