package io.latentstream.streams.http;

import io.latentstream.schemas.LatentFrame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the live page shows per camera: its latest encoded frame and the recent bits per pixel and
 * PSNR, in memory.
 *
 * <p>Bounded: at most {@code maxCameras} cameras (a new camera evicts the one silent for longest),
 * the last {@code bppPoints} frames per camera, and the last {@code psnrPoints} PSNR measurements
 * per camera (kept apart because the encoder measures PSNR on a small sample of frames only, so a
 * frame-count window would hold few).
 *
 * <p>Thread-safe: one feed thread records, HTTP threads take snapshots (immutable copies).
 */
public final class LiveStats {

  /**
   * One value of a camera's series: the frame's sequence, its encode time (epoch ms) and the value.
   */
  public record Point(long sequence, long atMillis, double value) {}

  /**
   * A copy of one camera's state.
   *
   * @param latestSequence sequence of the last frame seen (the newest in the camera's partition)
   * @param frames frames of this camera seen since the feed started
   */
  public record CameraView(
      String camera,
      long latestSequence,
      String latestModelVersion,
      int width,
      int height,
      long frames,
      long updatedAtMillis,
      List<Point> bpp,
      List<Point> psnr) {}

  private final int maxCameras;
  private final int bppPoints;
  private final int psnrPoints;
  private final Map<String, Camera> cameras = new HashMap<>(); // guarded by this
  private long evicted; // guarded by this

  public LiveStats(int maxCameras, int bppPoints, int psnrPoints) {
    if (maxCameras < 1 || bppPoints < 1 || psnrPoints < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
    this.maxCameras = maxCameras;
    this.bppPoints = bppPoints;
    this.psnrPoints = psnrPoints;
  }

  /** Records one latent frame. */
  public void record(LatentFrame frame) {
    Double psnr = frame.getPsnr();
    record(
        frame.getCameraId(),
        frame.getSequence(),
        frame.getEncodeTime().toEpochMilli(),
        frame.getBpp(),
        psnr == null || !Double.isFinite(psnr) ? null : psnr,
        frame.getModelVersion(),
        frame.getOriginalWidth(),
        frame.getOriginalHeight());
  }

  /** Records one encoded frame; {@code psnr} is null when the encoder did not measure it. */
  public synchronized void record(
      String camera,
      long sequence,
      long encodeMillis,
      double bpp,
      Double psnr,
      String modelVersion,
      int width,
      int height) {
    Objects.requireNonNull(camera, "camera");
    Camera c = cameras.get(camera);
    if (c == null) {
      if (cameras.size() >= maxCameras) {
        evictSilentest();
      }
      c = new Camera();
      cameras.put(camera, c);
    }
    c.latestSequence = sequence;
    c.latestModelVersion = modelVersion;
    c.width = width;
    c.height = height;
    c.frames++;
    c.updatedAtMillis = encodeMillis;
    add(c.bpp, new Point(sequence, encodeMillis, bpp), bppPoints);
    if (psnr != null) {
      add(c.psnr, new Point(sequence, encodeMillis, psnr), psnrPoints);
    }
  }

  private void evictSilentest() {
    cameras.entrySet().stream()
        .min(Comparator.comparingLong(e -> e.getValue().updatedAtMillis))
        .map(Map.Entry::getKey)
        .ifPresent(cameras::remove);
    evicted++;
  }

  private static void add(ArrayDeque<Point> ring, Point p, int limit) {
    if (ring.size() >= limit) {
      ring.removeFirst();
    }
    ring.addLast(p);
  }

  /** Every camera's state, sorted by camera id. */
  public synchronized List<CameraView> snapshot() {
    List<CameraView> out = new ArrayList<>(cameras.size());
    cameras.forEach(
        (id, c) ->
            out.add(
                new CameraView(
                    id,
                    c.latestSequence,
                    c.latestModelVersion,
                    c.width,
                    c.height,
                    c.frames,
                    c.updatedAtMillis,
                    List.copyOf(c.bpp),
                    List.copyOf(c.psnr))));
    out.sort(Comparator.comparing(CameraView::camera));
    return out;
  }

  /** Cameras dropped to stay within {@link #maxCameras()}. */
  public synchronized long evictedCameras() {
    return evicted;
  }

  public int maxCameras() {
    return maxCameras;
  }

  /** Mutable state of one camera; only touched while holding the {@link LiveStats} lock. */
  private static final class Camera {
    long latestSequence;
    String latestModelVersion;
    int width;
    int height;
    long frames;
    long updatedAtMillis;
    final ArrayDeque<Point> bpp = new ArrayDeque<>();
    final ArrayDeque<Point> psnr = new ArrayDeque<>();
  }
}
