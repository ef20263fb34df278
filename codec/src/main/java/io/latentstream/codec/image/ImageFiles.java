package io.latentstream.codec.image;

import io.latentstream.codec.InvalidImageException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads and writes images: PNG and JPEG through ImageIO, and headerless raw RGB24/GRAY8. Dimensions
 * are checked from the file header before pixels are decoded, so an absurd image fails fast with
 * {@link InvalidImageException}. Stateless and thread-safe.
 */
public final class ImageFiles {
  static {
    // Decode from memory: ImageIO's default disk cache needs a writable java.io.tmpdir and buys
    // nothing here.
    ImageIO.setUseCache(false);
  }

  private ImageFiles() {}

  /** Reads a PNG or JPEG file (detected from its content). */
  public static PixelImage read(Path file) throws IOException {
    return decode(Files.readAllBytes(file), file.toString());
  }

  /**
   * Decodes PNG or JPEG bytes; gray images stay GRAY8, everything else becomes RGB24 (alpha
   * dropped).
   */
  public static PixelImage decode(byte[] bytes, String what) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new InvalidImageException(what + ": not a PNG or JPEG image");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        PixelImage.checkDimensions(reader.getWidth(0), reader.getHeight(0));
        String name = reader.getFormatName().toLowerCase(Locale.ROOT);
        ContainerFormat container =
            name.contains("png")
                ? ContainerFormat.PNG
                : name.contains("jp") ? ContainerFormat.JPEG : ContainerFormat.RAW;
        BufferedImage image = reader.read(0);
        return fromBufferedImage(image, container);
      } catch (IOException | RuntimeException e) {
        if (e instanceof InvalidImageException) {
          throw e;
        }
        throw new InvalidImageException(what + ": cannot decode image: " + e.getMessage(), e);
      } finally {
        reader.dispose();
      }
    }
  }

  /** Reads headerless 8-bit pixels of the given size. */
  public static PixelImage readRaw(Path file, int width, int height, PixelFormat format)
      throws IOException {
    PixelImage.checkDimensions(width, height);
    Optional<String> mismatch =
        PixelImage.rawSizeMismatch(width, height, format, Files.size(file), "the file");
    if (mismatch.isPresent()) {
      throw new InvalidImageException(file + ": raw " + mismatch.get());
    }
    try (InputStream in = Files.newInputStream(file)) {
      return new PixelImage(width, height, format, in.readAllBytes(), ContainerFormat.RAW);
    }
  }

  /** Converts any BufferedImage: BYTE_GRAY stays gray, everything else goes through sRGB. */
  public static PixelImage fromBufferedImage(BufferedImage image, ContainerFormat container) {
    int w = image.getWidth();
    int h = image.getHeight();
    PixelImage.checkDimensions(w, h);
    if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
      byte[] px = new byte[w * h];
      image.getRaster().getDataElements(0, 0, w, h, px);
      return new PixelImage(w, h, PixelFormat.GRAY8, px, container);
    }
    byte[] px = new byte[w * h * 3];
    int[] row = new int[w];
    int o = 0;
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int argb = row[x];
        px[o++] = (byte) (argb >>> 16);
        px[o++] = (byte) (argb >>> 8);
        px[o++] = (byte) argb;
      }
    }
    return new PixelImage(w, h, PixelFormat.RGB24, px, container);
  }

  /** A BufferedImage view (copy) of the pixels: TYPE_BYTE_GRAY or TYPE_3BYTE_BGR. */
  public static BufferedImage toBufferedImage(PixelImage image) {
    int w = image.width();
    int h = image.height();
    if (image.format() == PixelFormat.GRAY8) {
      BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
      byte[] dst = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
      System.arraycopy(image.pixels(), 0, dst, 0, dst.length);
      return out;
    }
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] dst = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
    byte[] src = image.pixels();
    for (int i = 0; i < src.length; i += 3) {
      dst[i] = src[i + 2];
      dst[i + 1] = src[i + 1];
      dst[i + 2] = src[i];
    }
    return out;
  }

  /** Writes a PNG (8-bit gray or RGB). */
  public static void writePng(PixelImage image, Path file) throws IOException {
    if (!ImageIO.write(toBufferedImage(image), "png", file.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }

  /** Writes the raw pixel bytes. */
  public static void writeRaw(PixelImage image, Path file) throws IOException {
    Files.write(file, image.pixels());
  }

  /** Area-averaging resize (for tests and evaluation sets); keeps the pixel format. */
  public static PixelImage resize(PixelImage image, int width, int height) {
    BufferedImage src = toBufferedImage(image);
    java.awt.Image scaled =
        src.getScaledInstance(width, height, java.awt.Image.SCALE_AREA_AVERAGING);
    BufferedImage out = new BufferedImage(width, height, src.getType());
    java.awt.Graphics2D g = out.createGraphics();
    try {
      g.drawImage(scaled, 0, 0, null);
    } finally {
      g.dispose();
    }
    return fromBufferedImage(out, image.container());
  }
}
