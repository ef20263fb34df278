package io.latentstream.streams.bench;

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
 * The frames of a benchmark: real photos scaled to cover the frame size and centre-cropped to it, as RGB24, and
 * the order in which cameras send them. Frame {@code i} of the run is camera {@code i % cameras}, sequence
 * {@code i / cameras}, so cameras interleave as they would on a live system; both the codec loop and the pipeline
 * see exactly this sequence of images.
 *
 * <p>Immutable and thread-safe; the pixel arrays are shared and must not be modified.
 */
public final class BenchFrames {

  /** Photos decoded at most: the large ones take a second each to decode, and a few scenes are enough. */
  private static final int MAX_SCENES = 8;

  private final List<PixelImage> scenes;
  private final int cameras;
  private final int framesPerCamera;

  private BenchFrames(List<PixelImage> scenes, int cameras, int framesPerCamera) {
    this.scenes = List.copyOf(scenes);
    this.cameras = cameras;
    this.framesPerCamera = framesPerCamera;
  }

  /**
   * Reads up to 8 photos (JPEG/PNG, sorted by path) under {@code photosDir} and fits them to the size.
   *
   * @throws IllegalArgumentException when the directory holds no readable photo
   */
  public static BenchFrames load(Path photosDir, int width, int height, int cameras, int framesPerCamera)
      throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(photosDir, 2)) {
      files = walk.filter(Files::isRegularFile).filter(BenchFrames::isPhoto).sorted().toList();
    }
    List<PixelImage> scenes = new ArrayList<>();
    for (Path file : files) {
      if (scenes.size() == MAX_SCENES) {
        break;
      }
      scenes.add(fit(ImageFiles.read(file), width, height));
    }
    if (scenes.isEmpty()) {
      throw new IllegalArgumentException("no JPEG or PNG photo in " + photosDir.toAbsolutePath());
    }
    return new BenchFrames(scenes, cameras, framesPerCamera);
  }

  private static boolean isPhoto(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".jpg") || name.endsWith(".jpeg") || name.endsWith(".png");
  }

  /** Scales to cover {@code width x height} keeping the aspect ratio, crops the centre, converts to RGB24. */
  static PixelImage fit(PixelImage photo, int width, int height) {
    double scale = Math.max((double) width / photo.width(), (double) height / photo.height());
    int sw = Math.max(width, (int) Math.ceil(photo.width() * scale));
    int sh = Math.max(height, (int) Math.ceil(photo.height() * scale));
    PixelImage scaled = ImageFiles.resize(photo, sw, sh);
    int channels = scaled.format().channels();
    int x0 = (sw - width) / 2;
    int y0 = (sh - height) / 2;
    byte[] out = new byte[width * height * 3];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int src = ((y0 + y) * sw + x0 + x) * channels;
        int dst = (y * width + x) * 3;
        for (int c = 0; c < 3; c++) {
          out[dst + c] = scaled.pixels()[src + (channels == 1 ? 0 : c)];
        }
      }
    }
    return new PixelImage(width, height, PixelFormat.RGB24, out, ContainerFormat.RAW);
  }

  public int cameras() {
    return cameras;
  }

  public int framesPerCamera() {
    return framesPerCamera;
  }

  /** Frames in one run: cameras × frames per camera. */
  public int total() {
    return cameras * framesPerCamera;
  }

  public int width() {
    return scenes.get(0).width();
  }

  public int height() {
    return scenes.get(0).height();
  }

  /** Distinct photos the frames cycle through. */
  public int scenes() {
    return scenes.size();
  }

  public static String cameraId(int camera) {
    return "bench-cam-" + camera;
  }

  /** The image of frame {@code i} of a run. */
  public PixelImage image(int i) {
    int camera = i % cameras;
    int sequence = i / cameras;
    // each camera starts on its own scene and moves on every frame, so consecutive frames differ
    return scenes.get(Math.floorMod(camera * 3 + sequence, scenes.size()));
  }

  /** The record of frame {@code i}. */
  public RawFrame record(int i, Instant captureTime) {
    PixelImage image = image(i);
    return RawFrame.newBuilder()
        .setCameraId(cameraId(i % cameras))
        .setSequence(i / cameras)
        .setCaptureTime(captureTime)
        .setWidth(image.width())
        .setHeight(image.height())
        .setPixelFormat(io.latentstream.schemas.PixelFormat.RGB24)
        .setPixels(ByteBuffer.wrap(image.pixels()))
        .build();
  }

  /** Index of a frame in the run from its camera index and sequence. */
  public int index(int camera, long sequence) {
    return Math.toIntExact(sequence * cameras + camera);
  }
}
