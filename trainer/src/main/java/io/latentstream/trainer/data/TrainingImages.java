package io.latentstream.trainer.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Training photos held in memory as 8-bit RGB, decoded with ImageIO from folders of PNG/JPEG files.
 * Grayscale images become three equal channels; large photos are box-downscaled by an integer
 * factor so that their longer side is at most {@code maxSide} (closer to camera resolutions, and it
 * averages away JPEG noise). Immutable after loading; safe to share between threads.
 */
public final class TrainingImages {

  /** One decoded image, {@code rgb} row-major {@code [height][width][3]}. */
  public record Image(String name, int width, int height, byte[] rgb) {}

  private final List<Image> images;

  private TrainingImages(List<Image> images) {
    this.images = List.copyOf(images);
  }

  /**
   * Loads every {@code .png}, {@code .jpg} and {@code .jpeg} file (not recursive) of the given
   * folders.
   */
  public static TrainingImages load(List<Path> folders, int maxSide, int minWidth, int minHeight) {
    List<Path> files = new ArrayList<>();
    for (Path folder : folders) {
      if (!Files.isDirectory(folder)) {
        throw new IllegalArgumentException("not a folder of images: " + folder);
      }
      try (Stream<Path> s = Files.list(folder)) {
        s.filter(TrainingImages::isImage).sorted().forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<Image> loaded = new ArrayList<>();
    for (Path file : files) {
      Image image = decode(file, maxSide);
      if (image.width() >= minWidth && image.height() >= minHeight) {
        loaded.add(image);
      }
    }
    if (loaded.isEmpty()) {
      throw new IllegalArgumentException(
          "no image of at least " + minWidth + "x" + minHeight + " in " + folders);
    }
    return new TrainingImages(loaded);
  }

  /** Wraps already decoded images (tests). */
  public static TrainingImages of(List<Image> images) {
    return new TrainingImages(images);
  }

  private static boolean isImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(p)
        && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
  }

  /**
   * Decodes one file to RGB, downscaling when its longer side exceeds {@code maxSide} (0 = never).
   */
  public static Image decode(Path file, int maxSide) {
    BufferedImage img;
    try {
      img = ImageIO.read(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read image " + file, e);
    }
    if (img == null) {
      throw new IllegalArgumentException("not a decodable image: " + file);
    }
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] rgb = new byte[w * h * 3];
    Raster raster = img.getRaster();
    int bands = raster.getNumBands();
    if (bands <= 2) {
      // Gray (+alpha): take the stored samples; getRGB would apply a linear-to-sRGB conversion.
      int[] row = new int[w];
      for (int yy = 0; yy < h; yy++) {
        raster.getSamples(0, yy, w, 1, 0, row);
        for (int xx = 0; xx < w; xx++) {
          byte v = (byte) row[xx];
          int o = (yy * w + xx) * 3;
          rgb[o] = v;
          rgb[o + 1] = v;
          rgb[o + 2] = v;
        }
      }
    } else {
      int[] row = new int[w];
      for (int yy = 0; yy < h; yy++) {
        img.getRGB(0, yy, w, 1, row, 0, w);
        for (int xx = 0; xx < w; xx++) {
          int p = row[xx];
          int o = (yy * w + xx) * 3;
          rgb[o] = (byte) (p >> 16);
          rgb[o + 1] = (byte) (p >> 8);
          rgb[o + 2] = (byte) p;
        }
      }
    }
    int factor = maxSide > 0 ? (Math.max(w, h) + maxSide - 1) / maxSide : 1;
    Image image = new Image(file.getFileName().toString(), w, h, rgb);
    return factor > 1 ? downscale(image, factor) : image;
  }

  /** Box filter by an integer factor (drops the partial border). */
  static Image downscale(Image src, int f) {
    int w = src.width() / f;
    int h = src.height() / f;
    byte[] out = new byte[w * h * 3];
    int[] acc = new int[3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        acc[0] = acc[1] = acc[2] = 0;
        for (int dy = 0; dy < f; dy++) {
          int base = ((y * f + dy) * src.width() + x * f) * 3;
          for (int dx = 0; dx < f; dx++) {
            for (int c = 0; c < 3; c++) {
              acc[c] += src.rgb()[base + dx * 3 + c] & 0xff;
            }
          }
        }
        int o = (y * w + x) * 3;
        for (int c = 0; c < 3; c++) {
          out[o + c] = (byte) Math.round(acc[c] / (float) (f * f));
        }
      }
    }
    return new Image(src.name(), w, h, out);
  }

  /** The loaded images. */
  public List<Image> images() {
    return images;
  }

  /** File names of the loaded images. */
  public List<String> names() {
    return images.stream().map(Image::name).toList();
  }
}
