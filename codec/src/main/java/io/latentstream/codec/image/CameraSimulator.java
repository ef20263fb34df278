package io.latentstream.codec.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Simulated fixed cameras, the one source of camera frames for the demo, the benchmarks and the
 * tests: camera {@code c} looks at one photo (photos are shared round-robin when there are more
 * cameras than photos) and never moves, as a mounted camera does; what changes from frame to frame
 * is what a real one sees: sensor noise (a deterministic +-3 per sample) and a few objects crossing
 * the scene at their own speeds (blocks of colour the size of a person or a car). Frames are RGB24
 * and made on demand, so a long run holds only the scenes in memory; the same camera and sequence
 * always give the same pixels.
 *
 * <p>With fixed-camera footage (PNG frames in time order, e.g. {@code .latentstream/footage/vtest}
 * written by {@code trainer/scripts/fetch-fixed-camera.sh}) the last camera plays that footage
 * instead (looping, scaled to cover the frame); its frames are read from disk when asked for.
 *
 * <p>Immutable and thread-safe.
 */
public final class CameraSimulator {

  /** How much larger than the frame a scene is scaled: the room the view has to pan in. */
  private static final double MARGIN = 1.12;

  /** Objects crossing each scene. */
  private static final int MOVERS = 3;

  private final List<PixelImage> scenes;

  /** Frames of the footage camera (the last one), in time order; empty when there is none. */
  private final List<Path> footage;

  private final int width;
  private final int height;
  private final int cameras;

  private CameraSimulator(
      List<PixelImage> scenes, List<Path> footage, int width, int height, int cameras) {
    if (width < 1 || height < 1 || cameras < 1) {
      throw new IllegalArgumentException("need a frame size and a camera count of at least 1");
    }
    this.scenes = List.copyOf(scenes);
    this.footage = List.copyOf(footage);
    this.width = width;
    this.height = height;
    this.cameras = cameras;
  }

  /**
   * Cameras filming the photos under {@code photosDir} (JPEG/PNG up to two levels deep, sorted by
   * path; the cameras are spread over the whole list), and when {@code footageDir} (may be null)
   * holds PNG frames, the last camera plays them (sorted by file name).
   *
   * @throws IllegalArgumentException when the directory holds no photo
   */
  public static CameraSimulator load(
      Path photosDir, Path footageDir, int width, int height, int cameras) throws IOException {
    List<Path> footage = List.of();
    if (footageDir != null && Files.isDirectory(footageDir)) {
      try (Stream<Path> list = Files.list(footageDir)) {
        footage =
            list.filter(Files::isRegularFile)
                .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
                .sorted()
                .toList();
      }
    }
    List<Path> files = photosIn(photosDir);
    int photoCameras = footage.isEmpty() ? cameras : cameras - 1;
    int photoScenes = Math.max(1, Math.min(photoCameras, files.size()));
    List<Path> chosen = new ArrayList<>();
    for (int c = 0; c < photoScenes; c++) {
      chosen.add(files.get((int) ((long) c * files.size() / photoScenes)));
    }
    return new CameraSimulator(scenes(chosen, width, height), footage, width, height, cameras);
  }

  /**
   * Cameras filming these photos: camera {@code c} films {@code photos.get(c % photos.size())}; no
   * footage.
   */
  public static CameraSimulator of(List<Path> photos, int width, int height, int cameras)
      throws IOException {
    if (photos.isEmpty()) {
      throw new IllegalArgumentException("no photo to film");
    }
    return new CameraSimulator(scenes(photos, width, height), List.of(), width, height, cameras);
  }

  /** JPEG and PNG files under {@code dir}, up to two levels deep, sorted by path. */
  public static List<Path> photosIn(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir, 2)) {
      files = walk.filter(Files::isRegularFile).filter(CameraSimulator::isPhoto).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no JPEG or PNG photo in " + dir.toAbsolutePath());
    }
    return files;
  }

  private static List<PixelImage> scenes(List<Path> photos, int width, int height)
      throws IOException {
    int sw = (int) Math.ceil(width * MARGIN);
    int sh = (int) Math.ceil(height * MARGIN);
    List<PixelImage> scenes = new ArrayList<>();
    for (Path file : photos) {
      scenes.add(cover(ImageFiles.read(file), sw, sh));
    }
    return scenes;
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
  public boolean isFootage(int camera) {
    return !footage.isEmpty() && camera == cameras - 1;
  }

  /** Frames of footage the footage camera loops over (0 without footage). */
  public int footageFrames() {
    return footage.size();
  }

  public int cameras() {
    return cameras;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /**
   * The image of camera {@code camera} at {@code sequence}: the fixed scene, sensor noise, moving
   * objects.
   */
  public PixelImage image(int camera, long sequence) {
    if (camera < 0 || camera >= cameras || sequence < 0) {
      throw new IllegalArgumentException("no frame " + sequence + " of camera " + camera);
    }
    if (isFootage(camera)) {
      Path file = footage.get((int) (sequence % footage.size()));
      try {
        return cover(ImageFiles.read(file), width, height);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read footage frame " + file, e);
      }
    }
    PixelImage scene = scenes.get(camera % scenes.size());
    PixelImage view =
        crop(scene, (scene.width() - width) / 2, (scene.height() - height) / 2, width, height);
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

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
