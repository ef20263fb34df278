package io.latentstream.trainer.service;

import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A bounded on-disk reservoir of sampled camera frames, the retraining service's data set.
 *
 * <p>Layout: {@code <dir>/<hex of the camera id>/<train|heldout>/<sequence>-<capture ms>.png} (very
 * long ids: a hash, with the id in {@code camera.id}). Whether a frame is held out is a pure
 * function of (camera, sequence) (a hash below {@code heldoutFraction}), so the split is the same
 * after every restart and a frame read twice from Kafka lands on the same file: writes are
 * idempotent. Per camera at most {@code maxFramesPerCamera} frames are kept (the oldest by capture
 * time go first) and frames older than {@code maxAgeMs} are dropped. Files are written to a
 * temporary name and renamed, so a crash never leaves a half-written frame; the directory is the
 * whole state, rebuilt by scanning at open.
 *
 * <p>Thread-safe (every method is synchronized). Holds no open resources.
 */
public final class FrameReservoir {

  /** The two parts of the reservoir. */
  public enum Split {
    TRAIN("train"),
    HELDOUT("heldout");

    private final String dir;

    Split(String dir) {
      this.dir = dir;
    }

    public String dirName() {
      return dir;
    }
  }

  /** One stored frame. */
  public record Frame(String camera, long sequence, long captureTimeMs, Split split, Path file) {}

  /** What a run trains and evaluates on: frames by camera, each list ordered by capture time. */
  public record Snapshot(Map<String, List<Frame>> train, Map<String, List<Frame>> heldout) {
    public int trainCount() {
      return train.values().stream().mapToInt(List::size).sum();
    }

    public int heldoutCount() {
      return heldout.values().stream().mapToInt(List::size).sum();
    }
  }

  private static final int MAX_HEX_ID_BYTES = 100;
  private static final String CAMERA_ID_FILE = "camera.id";
  private static final Pattern FILE = Pattern.compile("(\\d+)-(-?\\d+)\\.png");
  private static final Comparator<Frame> AGE =
      Comparator.comparingLong(Frame::captureTimeMs).thenComparingLong(Frame::sequence);

  private final Path dir;
  private final int maxFramesPerCamera;
  private final long maxAgeMs;
  private final double heldoutFraction;
  private final int maxSide;
  private final Clock clock;
  private final Map<String, TreeSet<Frame>> frames = new TreeMap<>();

  /**
   * Opens (creating it if needed) the reservoir in {@code dir} and indexes the frames already
   * there.
   *
   * @param maxSide frames whose longer side exceeds this are box-downscaled before they are stored
   */
  public FrameReservoir(
      Path dir,
      int maxFramesPerCamera,
      long maxAgeMs,
      double heldoutFraction,
      int maxSide,
      Clock clock) {
    if (maxFramesPerCamera < 1 || maxAgeMs < 1 || !(heldoutFraction > 0 && heldoutFraction < 1)) {
      throw new IllegalArgumentException(
          "need maxFramesPerCamera >= 1, maxAgeMs >= 1, 0 < heldoutFraction < 1");
    }
    this.dir = dir;
    this.maxFramesPerCamera = maxFramesPerCamera;
    this.maxAgeMs = maxAgeMs;
    this.heldoutFraction = heldoutFraction;
    this.maxSide = maxSide;
    this.clock = clock;
    try {
      Files.createDirectories(dir);
      scan();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the frame reservoir in " + dir, e);
    }
  }

  /** The reservoir of a service configuration. */
  public static FrameReservoir open(TrainerServiceConfig config, Clock clock) {
    return new FrameReservoir(
        Path.of(config.getString(TrainerServiceConfig.RESERVOIR_DIR)),
        config.getInt(TrainerServiceConfig.RESERVOIR_MAX_FRAMES),
        config.getLong(TrainerServiceConfig.RESERVOIR_MAX_AGE_MS),
        config.getDouble(TrainerServiceConfig.RESERVOIR_HELDOUT_FRACTION),
        config.getInt(TrainerServiceConfig.RESERVOIR_MAX_SIDE),
        clock);
  }

  private void scan() throws IOException {
    try (Stream<Path> cams = Files.list(dir)) {
      for (Path camDir : (Iterable<Path>) cams.filter(Files::isDirectory)::iterator) {
        String camera;
        Path idFile = camDir.resolve(CAMERA_ID_FILE);
        try {
          camera =
              Files.isRegularFile(idFile)
                  ? Files.readString(idFile)
                  : new String(
                      HexFormat.of().parseHex(camDir.getFileName().toString()),
                      StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          continue; // not ours
        }
        for (Split split : Split.values()) {
          Path d = camDir.resolve(split.dirName());
          if (!Files.isDirectory(d)) {
            continue;
          }
          try (Stream<Path> files = Files.list(d)) {
            for (Path f : (Iterable<Path>) files::iterator) {
              Matcher m = FILE.matcher(f.getFileName().toString());
              if (m.matches()) {
                index(
                    new Frame(
                        camera, Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), split, f));
              } else if (f.getFileName().toString().startsWith(".tmp-")) {
                Files.deleteIfExists(f); // left by a crash mid-write
              }
            }
          }
        }
      }
    }
    for (String camera : List.copyOf(frames.keySet())) {
      enforceLimits(camera);
    }
  }

  private void index(Frame f) {
    frames.computeIfAbsent(f.camera(), c -> new TreeSet<>(AGE)).add(f);
  }

  /**
   * Whether (camera, sequence) belongs to the held-out part: deterministic, independent of arrival
   * order.
   */
  public Split splitOf(String camera, long sequence) {
    return splitOf(camera, sequence, heldoutFraction);
  }

  /** {@link #splitOf(String, long)} for a given held-out fraction. */
  public static Split splitOf(String camera, long sequence, double heldoutFraction) {
    // sha256, not murmur2: murmur2 of keys differing in their last bytes clusters badly (whole
    // cameras fell on
    // one side)
    byte[] key = (camera + '\u0000' + sequence).getBytes(StandardCharsets.UTF_8);
    byte[] h;
    try {
      h = MessageDigest.getInstance("SHA-256").digest(key);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    long bits = ByteBuffer.wrap(h).getLong() >>> 11; // 53 bits
    double u = bits / (double) (1L << 53);
    return u < heldoutFraction ? Split.HELDOUT : Split.TRAIN;
  }

  /**
   * Stores one frame (or overwrites the same camera and sequence) and applies the limits.
   *
   * @return the frame stored, or null when it is already too old to keep
   */
  public synchronized Frame add(
      String camera, long sequence, long captureTimeMs, PixelImage image) {
    if (captureTimeMs < clock.millis() - maxAgeMs) {
      return null;
    }
    Split split = splitOf(camera, sequence);
    Path target =
        cameraDir(camera)
            .resolve(split.dirName())
            .resolve(String.format("%020d-%d.png", sequence, captureTimeMs));
    PixelImage stored = downscaled(image);
    try {
      Files.createDirectories(target.getParent());
      Path tmp = target.resolveSibling(".tmp-" + target.getFileName());
      ImageFiles.writePng(stored, tmp);
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot store frame " + camera + "/" + sequence + " in " + dir, e);
    }
    TreeSet<Frame> set = frames.computeIfAbsent(camera, c -> new TreeSet<>(AGE));
    set.removeIf(f -> f.sequence() == sequence);
    Frame frame = new Frame(camera, sequence, captureTimeMs, split, target);
    set.add(frame);
    enforceLimits(camera);
    return frame;
  }

  private PixelImage downscaled(PixelImage image) {
    int longer = Math.max(image.width(), image.height());
    if (longer <= maxSide) {
      return image;
    }
    int factor = (longer + maxSide - 1) / maxSide;
    return ImageFiles.resize(
        image, Math.max(1, image.width() / factor), Math.max(1, image.height() / factor));
  }

  /**
   * The camera's directory: the hex of its id (reversible, safe on any file system), or for ids
   * longer than {@link #MAX_HEX_ID_BYTES} bytes (file names have a length limit) {@code h} + sha256
   * hex with the id in {@code camera.id}.
   */
  private Path cameraDir(String camera) {
    byte[] id = camera.getBytes(StandardCharsets.UTF_8);
    if (id.length <= MAX_HEX_ID_BYTES) {
      return dir.resolve(HexFormat.of().formatHex(id));
    }
    try {
      Path d =
          dir.resolve(
              "h" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id)));
      Path idFile = d.resolve(CAMERA_ID_FILE);
      if (!Files.exists(idFile)) {
        Files.createDirectories(d);
        Files.writeString(idFile, camera);
      }
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the directory of camera " + camera, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private void enforceLimits(String camera) {
    TreeSet<Frame> set = frames.get(camera);
    long oldest = clock.millis() - maxAgeMs;
    while (!set.isEmpty()
        && (set.size() > maxFramesPerCamera || set.first().captureTimeMs() < oldest)) {
      Frame f = set.pollFirst();
      try {
        Files.deleteIfExists(f.file());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot drop " + f.file(), e);
      }
    }
    if (set.isEmpty()) {
      frames.remove(camera);
    }
  }

  /** The frames now in the reservoir (expired ones dropped first), by camera and split. */
  public synchronized Snapshot snapshot() {
    Map<String, List<Frame>> train = new LinkedHashMap<>();
    Map<String, List<Frame>> heldout = new LinkedHashMap<>();
    for (String camera : List.copyOf(frames.keySet())) {
      enforceLimits(camera);
      TreeSet<Frame> set = frames.get(camera);
      if (set == null) {
        continue;
      }
      for (Frame f : set) {
        (f.split() == Split.TRAIN ? train : heldout)
            .computeIfAbsent(camera, c -> new ArrayList<>())
            .add(f);
      }
    }
    return new Snapshot(train, heldout);
  }

  /**
   * A consistent copy of the reservoir for one run: every frame hard-linked (copied where links are
   * not possible) into {@code target/train/} (one flat folder, as the training engine reads it) and
   * {@code target/heldout/}, so frames dropped or added meanwhile do not change the run's data.
   */
  public synchronized Snapshot copyTo(Path target) {
    Snapshot now = snapshot();
    try {
      return new Snapshot(
          link(now.train(), target.resolve(Split.TRAIN.dirName())),
          link(now.heldout(), target.resolve(Split.HELDOUT.dirName())));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the reservoir into " + target, e);
    }
  }

  private Map<String, List<Frame>> link(Map<String, List<Frame>> byCamera, Path folder)
      throws IOException {
    Files.createDirectories(folder);
    Map<String, List<Frame>> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<Frame>> e : byCamera.entrySet()) {
      String hex = cameraDir(e.getKey()).getFileName().toString();
      List<Frame> copied = new ArrayList<>();
      for (Frame f : e.getValue()) {
        Path to = folder.resolve(hex + "-" + f.file().getFileName());
        try {
          Files.createLink(to, f.file());
        } catch (IOException | UnsupportedOperationException linkFailed) {
          Files.copy(f.file(), to, StandardCopyOption.REPLACE_EXISTING);
        }
        copied.add(new Frame(f.camera(), f.sequence(), f.captureTimeMs(), f.split(), to));
      }
      out.put(e.getKey(), copied);
    }
    return out;
  }

  /** Frames stored now, all cameras and splits. */
  public synchronized int size() {
    return frames.values().stream().mapToInt(TreeSet::size).sum();
  }

  public Path directory() {
    return dir;
  }
}
