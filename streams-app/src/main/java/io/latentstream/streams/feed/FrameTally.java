package io.latentstream.streams.feed;

import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accounts for the frames of a {@link CameraFeed} as they come out of the pipeline: which arrived
 * as latents (each once; a second copy is a duplicate), how many were dead-lettered, and the bytes
 * and frame type of each. The demo and the pipeline benchmark count with it, so "every frame
 * accounted for" means the same in both.
 *
 * <p>Not thread-safe: one consumer loop feeds it.
 */
public final class FrameTally {

  private final CameraFeed feed;
  private final Instant notBefore;
  private final BitSet arrived;
  private final int[] bytes;
  private final BitSet keys;
  private int latents;
  private int duplicates;
  private int deadLetters;
  private int foreign;
  private long latentBytes;
  private long keyBytes;

  /**
   * @param notBefore frames captured before this are an earlier run's and are not counted (null:
   *     count all)
   */
  public FrameTally(CameraFeed feed, Instant notBefore) {
    this.feed = feed;
    this.notBefore = notBefore;
    this.arrived = new BitSet(feed.total());
    this.bytes = new int[feed.total()];
    this.keys = new BitSet(feed.total());
  }

  /**
   * Counts a latent frame; returns its index in the run when it is one of the feed's frames seen
   * for the first time, else -1 (a duplicate, another camera's, or an earlier run's).
   */
  public int latent(LatentFrame f) {
    int index = feed.index(feed.cameraIndex(f.getCameraId()), f.getSequence());
    if (index < 0 || (notBefore != null && f.getCaptureTime().isBefore(notBefore))) {
      foreign++;
      return -1;
    }
    if (arrived.get(index)) {
      duplicates++;
      return -1;
    }
    arrived.set(index);
    latents++;
    int size = f.getBitstream().remaining();
    bytes[index] = size;
    latentBytes += size;
    if (f.getFrameType() == FrameType.KEY) {
      keys.set(index);
      keyBytes += size;
    }
    return index;
  }

  /** Counts a frame the pipeline dead-lettered. */
  public void deadLetter() {
    deadLetters++;
  }

  /** Whether every frame of the feed came out, as a latent or a dead letter. */
  public boolean complete() {
    return latents + deadLetters >= feed.total();
  }

  public int latents() {
    return latents;
  }

  public int duplicates() {
    return duplicates;
  }

  public int deadLetters() {
    return deadLetters;
  }

  /** Records that were not the feed's frames of this run. */
  public int foreign() {
    return foreign;
  }

  public long latentBytes() {
    return latentBytes;
  }

  public long keyBytes() {
    return keyBytes;
  }

  public int keyFrames() {
    return keys.cardinality();
  }

  public boolean arrived(int index) {
    return arrived.get(index);
  }

  /**
   * Bytes of each camera's frames in sequence order (0 for a frame that has not arrived), by camera
   * id.
   */
  public Map<String, List<Integer>> bytesPerFrame() {
    Map<String, List<Integer>> out = new LinkedHashMap<>();
    for (int c = 0; c < feed.cameras(); c++) {
      List<Integer> sizes = new ArrayList<>();
      for (int seq = 0; seq < feed.framesPerCamera(); seq++) {
        sizes.add(bytes[feed.index(c, seq)]);
      }
      out.put(feed.cameraId(c), sizes);
    }
    return out;
  }

  /** Whether each camera's frames came as KEY frames, in sequence order, by camera id. */
  public Map<String, List<Boolean>> keyFramePerFrame() {
    Map<String, List<Boolean>> out = new LinkedHashMap<>();
    for (int c = 0; c < feed.cameras(); c++) {
      List<Boolean> flags = new ArrayList<>();
      for (int seq = 0; seq < feed.framesPerCamera(); seq++) {
        flags.add(keys.get(feed.index(c, seq)));
      }
      out.put(feed.cameraId(c), flags);
    }
    return out;
  }
}
