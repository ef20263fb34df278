package io.latentstream.streams.demo;

import io.latentstream.codec.image.ContainerFormat;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.schemas.RawFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Simulated fixed cameras: camera {@code c} looks at one photo (the photos are shared round-robin when there are
 * more cameras than photos) and never moves, as a mounted camera does; what changes from frame to frame is what a
 * real one sees: sensor noise (a deterministic +-3 per sample) and a few objects crossing the scene at their own
 * speeds (blocks of colour the size of a person or a car). Frames are RGB24 and made on demand, so a long run holds
 * only the scenes in memory.
 *
 * <p>With fixed-camera footage (PNG frames in time order, e.g. {@code .latentstream/footage/vtest} written by
 * {@code trainer/scripts/fetch-fixed-camera.sh}) the last camera plays that footage instead (looping, scaled to cover
 * the frame); its frames are read from disk when asked for.
 *
 * <p>Immutable and thread-safe.
 */
final class CameraFrames {

  /** How much larger than the frame a scene is scaled: the room the view has to pan in. */
  private static final double MARGIN = 1.12;

  private final List<PixelImage> scenes;
  /** Frames of the footage camera (the last one), in time order; empty when there is none. */
  private final List<Path> footage;
  private final int width;
  private final int height;
  private final int cameras;
  private final int framesPerCamera;

  private CameraFrames(List<PixelImage> scenes, List<Path> footage, int width, int height, int cameras,
      int framesPerCamera) {
    this.scenes = List.copyOf(scenes);
    this.footage = List.copyOf(footage);
    this.width = width;
    this.height = height;
    this.cameras = cameras;
    this.framesPerCamera = framesPerCamera;
  }

  /**
   * Reads one photo per camera (JPEG/PNG under {@code photosDir}, up to two levels deep, sorted by path; reused
   * round-robin when there are fewer photos than cameras).
   *
   * @throws IllegalArgumentException when the directory holds no photo
   */
  static CameraFrames load(Path photosDir, int width, int height, int cameras, int framesPerCamera)
      throws IOException {
    return load(photosDir, null, width, height, cameras, framesPerCamera);
  }

  /**
   * Like {@link #load(Path, int, int, int, int)}, and when {@code footageDir} holds PNG frames the last camera
   * plays them (sorted by file name) instead of filming a photo.
   */
  static CameraFrames load(Path photosDir, Path footageDir, int width, int height, int cameras,
      int framesPerCamera) throws IOException {
    List<Path> footage = List.of();
    if (footageDir != null && Files.isDirectory(footageDir)) {
      try (Stream<Path> list = Files.list(footageDir)) {
        footage = list.filter(Files::isRegularFile)
            .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")).sorted().toList();
      }
    }
    int photoCameras = footage.isEmpty() ? cameras : cameras - 1;
    List<Path> files;
    try (Stream<Path> walk = Files.walk(photosDir, 2)) {
      files = walk.filter(Files::isRegularFile).filter(CameraFrames::isPhoto).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no JPEG or PNG photo in " + photosDir.toAbsolutePath());
    }
    int sw = (int) Math.ceil(width * MARGIN);
    int sh = (int) Math.ceil(height * MARGIN);
    List<PixelImage> scenes = new ArrayList<>();
    int photoScenes = Math.max(1, Math.min(photoCameras, files.size()));
    for (int c = 0; c < photoScenes; c++) {
      // spread the cameras over the whole list (heldout and train) rather than the first few files
      Path file = files.get((int) ((long) c * files.size() / photoScenes));
      scenes.add(cover(ImageFiles.read(file), sw, sh));
    }
    return new CameraFrames(scenes, footage, width, height, cameras, framesPerCamera);
  }

  private static boolean isPhoto(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".jpg") || name.endsWith(".jpeg") || name.endsWith(".png");
  }

  /** Scales to cover {@code w x h} keeping the aspect ratio and crops the centre, as RGB24. */
  private static PixelImage cover(PixelImage photo, int w, int h) {
    double scale = Math.max((double) w / photo.width(), (double) h / photo.height());
    int sw = Math.max(w, (int) Math.ceil(photo.width() * scale));
    int sh = Math.max(h, (int) Math.ceil(photo.height() * scale));
    PixelImage scaled = ImageFiles.resize(photo, sw, sh);
    return crop(scaled, (sw - w) / 2, (sh - h) / 2, w, h);
  }

  private static PixelImage crop(PixelImage src, int x0, int y0, int w, int h) {
    int channels = src.format().channels();
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int s = ((y0 + y) * src.width() + x0 + x) * channels;
        int d = (y * w + x) * 3;
        for (int c = 0; c < 3; c++) {
          out[d + c] = src.pixels()[s + (channels == 1 ? 0 : c)];
        }
      }
    }
    return new PixelImage(w, h, PixelFormat.RGB24, out, ContainerFormat.RAW);
  }

  /** Whether camera {@code camera} plays fixed-camera footage rather than a photo. */
  boolean isFootage(int camera) {
    return !footage.isEmpty() && camera == cameras - 1;
  }

  /** Frames of footage the footage camera loops over (0 without footage). */
  int footageFrames() {
    return footage.size();
  }

  int cameras() {
    return cameras;
  }

  int framesPerCamera() {
    return framesPerCamera;
  }

  int total() {
    return cameras * framesPerCamera;
  }

  int width() {
    return width;
  }

  int height() {
    return height;
  }

  static String cameraId(int camera) {
    return "demo-cam-" + camera;
  }

  /** Camera index of a camera id made by {@link #cameraId}, or -1 for another id. */
  static int cameraIndex(String id) {
    String prefix = "demo-cam-";
    if (!id.startsWith(prefix)) {
      return -1;
    }
    try {
      return Integer.parseInt(id.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Objects crossing each scene: how many, and their size relative to the frame height. */
  private static final int MOVERS = 3;

  /** The image of camera {@code camera} at {@code sequence}: the fixed scene, sensor noise, moving objects. */
  PixelImage image(int camera, long sequence) {
    if (isFootage(camera)) {
      Path file = footage.get((int) (sequence % footage.size()));
      try {
        return cover(ImageFiles.read(file), width, height);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("cannot read footage frame " + file, e);
      }
    }
    PixelImage scene = scenes.get(camera % scenes.size());
    PixelImage view = crop(scene, (scene.width() - width) / 2, (scene.height() - height) / 2, width, height);
    byte[] px = view.pixels(); // a fresh copy
    for (int m = 0; m < MOVERS; m++) {
      long h = mix(camera * 7919L + m);
      int size = Math.max(2, height / (6 + (int) (h & 7)));
      int w = size * (1 + (int) ((h >>> 3) & 1)); // people upright, cars wide
      int period = width + w;
      int speed = 1 + (int) ((h >>> 4) % 4);
      int x0 = (int) Math.floorMod((h >>> 8) + sequence * speed, (long) period) - w;
      int y0 = (int) ((h >>> 20) % Math.max(1, height - size));
      byte r = (byte) (h >>> 32);
      byte g = (byte) (h >>> 40);
      byte b = (byte) (h >>> 48);
      for (int y = Math.max(0, y0); y < Math.min(height, y0 + size); y++) {
        for (int x = Math.max(0, x0); x < Math.min(width, x0 + w); x++) {
          int o = (y * width + x) * 3;
          px[o] = r;
          px[o + 1] = g;
          px[o + 2] = b;
        }
      }
    }
    long noise = mix(camera * 1_000_003L + sequence);
    for (int i = 0; i < px.length; i++) {
      if ((i & 15) == 0) {
        noise = mix(noise + i);
      }
      int n = (int) (((noise >>> ((i & 15) * 4)) & 15) % 7) - 3;
      px[i] = (byte) Math.max(0, Math.min(255, (px[i] & 0xff) + n));
    }
    return view;
  }

  /** The record of camera {@code camera} at {@code sequence}. */
  RawFrame record(int camera, long sequence, Instant captureTime) {
    PixelImage image = image(camera, sequence);
    return RawFrame.newBuilder()
        .setCameraId(cameraId(camera))
        .setSequence(sequence)
        .setCaptureTime(captureTime)
        .setWidth(image.width())
        .setHeight(image.height())
        .setPixelFormat(io.latentstream.schemas.PixelFormat.RGB24)
        .setPixels(ByteBuffer.wrap(image.pixels()))
        .build();
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
