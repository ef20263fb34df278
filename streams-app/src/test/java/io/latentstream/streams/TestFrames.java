package io.latentstream.streams;

import io.latentstream.codec.TestImages;
import io.latentstream.codec.image.ContainerFormat;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.schemas.PixelFormat;
import io.latentstream.schemas.RawFrame;
import io.latentstream.streams.feed.CameraFeed;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Camera-like test frames: 64x48 crops of the shared real photos (so PSNR means something),
 * deterministic per (camera, sequence), and the raw records that carry them.
 */
public final class TestFrames {

  public static final int WIDTH = 64;
  public static final int HEIGHT = 48;

  /** Small photos only: decoding the multi-megapixel ones would dominate test time. */
  private static final List<String> PHOTOS =
      List.of(
          "skimage_astronaut.png",
          "skimage_chelsea.png",
          "skimage_coffee.png",
          "skimage_rocket.jpg",
          "mpl_grace_hopper.jpg",
          "sklearn_china.jpg",
          "sklearn_flower.jpg",
          "scipy_face.png");

  private static List<PixelImage> scenes;

  private TestFrames() {}

  /** The photos at 128x96, read once per JVM. */
  private static synchronized List<PixelImage> scenes() {
    if (scenes == null) {
      List<PixelImage> out = new ArrayList<>();
      for (String name : PHOTOS) {
        Path file = TestImages.photo(name);
        if (!Files.isRegularFile(file)) {
          continue;
        }
        try {
          out.add(ImageFiles.resize(ImageFiles.read(file), 2 * WIDTH, 2 * HEIGHT));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      if (out.isEmpty()) {
        throw new IllegalStateException("no photos in " + TestImages.photosDir());
      }
      scenes = List.copyOf(out);
    }
    return scenes;
  }

  /** A 64x48 RGB24 crop of one of the photos, different for each (camera, sequence). */
  public static PixelImage image(int camera, long sequence) {
    List<PixelImage> all = scenes();
    PixelImage scene = all.get(Math.floorMod(camera * 3 + sequence / 20, all.size()));
    int x0 = (int) (sequence % 5) * 16;
    int y0 = (int) (sequence / 5 % 4) * 16;
    byte[] px = new byte[WIDTH * HEIGHT * 3];
    for (int y = 0; y < HEIGHT; y++) {
      System.arraycopy(
          scene.pixels(), ((y0 + y) * scene.width() + x0) * 3, px, y * WIDTH * 3, WIDTH * 3);
    }
    return new PixelImage(
        WIDTH, HEIGHT, io.latentstream.codec.image.PixelFormat.RGB24, px, ContainerFormat.RAW);
  }

  public static String camera(int index) {
    return "cam-" + index;
  }

  /** The record of an uncompressed frame. */
  public static RawFrame raw(String cameraId, long sequence, PixelImage image) {
    return CameraFeed.uncompressed(
        cameraId, sequence, Instant.ofEpochMilli(1_764_028_800_000L + sequence * 40), image);
  }

  /**
   * The record of a frame as a PNG or JPEG file; width and height as given (they may lie, for bad
   * inputs).
   */
  public static RawFrame file(
      String cameraId, long sequence, PixelFormat format, byte[] file, int width, int height) {
    return RawFrame.newBuilder()
        .setCameraId(cameraId)
        .setSequence(sequence)
        .setCaptureTime(Instant.ofEpochMilli(1_764_028_800_000L + sequence * 40))
        .setWidth(width)
        .setHeight(height)
        .setPixelFormat(format)
        .setPixels(ByteBuffer.wrap(file))
        .build();
  }

  public static byte[] png(PixelImage image) {
    return write(image, "png");
  }

  public static byte[] jpeg(PixelImage image) {
    return write(image, "jpg");
  }

  private static byte[] write(PixelImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(ImageFiles.toBufferedImage(image), format, out)) {
        throw new IllegalStateException("no " + format + " writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
