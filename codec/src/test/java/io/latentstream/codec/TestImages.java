package io.latentstream.codec;

import io.latentstream.codec.image.CameraSimulator;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Test images: small versions of the shared photos, and synthetic images of any size. */
public final class TestImages {
  /** (scenes, width, height, cameras) -> the simulator made for them. */
  private static final Map<List<Object>, CameraSimulator> FIXED_CAMERAS = new HashMap<>();

  private TestImages() {}

  /**
   * The repository's photos (data/photos, licences in its MANIFEST.tsv): train/ and heldout/
   * together.
   */
  public static Path photosDir() {
    String root = System.getProperty("latentstream.root", "..");
    return Paths.get(root).resolve("data/photos").toAbsolutePath().normalize();
  }

  /** A photo of the repository by file name, from train/ or heldout/. */
  public static Path photo(String name) {
    Path heldout = photosDir().resolve("heldout").resolve(name);
    return Files.isRegularFile(heldout) ? heldout : photosDir().resolve("train").resolve(name);
  }

  /** A repository photo resized to {@code width} (aspect kept). */
  public static PixelImage photo(String name, int width) {
    Path file = photo(name);
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("photo " + file + " is missing from the repository");
    }
    try {
      PixelImage full = ImageFiles.read(file);
      int height = Math.max(1, (int) Math.round((double) full.height() * width / full.width()));
      return ImageFiles.resize(full, width, height);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Simulated fixed cameras filming the named photos of {@code data/photos/train} (one photo each,
   * sensor noise, objects crossing), made on first use and then shared by the JVM's tests.
   */
  public static synchronized CameraSimulator fixedCameras(
      List<String> scenes, int width, int height, int cameras) {
    List<Object> key = List.of(List.copyOf(scenes), width, height, cameras);
    CameraSimulator made = FIXED_CAMERAS.get(key);
    if (made == null) {
      Path train = photosDir().resolve("train");
      try {
        made =
            CameraSimulator.of(
                scenes.stream().map(train::resolve).toList(), width, height, cameras);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      FIXED_CAMERAS.put(key, made);
    }
    return made;
  }

  /** Smooth gradients plus a little noise: compressible but not trivial. */
  public static PixelImage synthetic(int width, int height, PixelFormat format, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int ch = format.channels();
    byte[] px = new byte[width * height * ch];
    int o = 0;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        for (int c = 0; c < ch; c++) {
          double v =
              128
                  + 90 * Math.sin((x + 7 * c) / 9.0) * Math.cos((y - 5 * c) / 13.0)
                  + rnd.nextInt(9)
                  - 4;
          px[o++] = (byte) Math.max(0, Math.min(255, (int) v));
        }
      }
    }
    return new PixelImage(width, height, format, px);
  }
}
