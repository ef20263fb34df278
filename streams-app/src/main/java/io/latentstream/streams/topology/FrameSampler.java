package io.latentstream.streams.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Chooses the raw frames copied to the sample topic for retraining: a frame is a candidate when a
 * hash of (camera, sequence) falls below the rate, so the choice is the same on every instance and
 * after every restart; and each camera gets at most a fixed number of samples per minute of the
 * time passed in (the encoder passes processing time, not the producer's capture time), counted in
 * a state store (changelogged, so the count is exactly-once and survives restarts and rebalances).
 *
 * <p>A frame from an earlier minute than the camera's latest counted one is not sampled: cameras
 * send in order, and keeping one counter per camera keeps the store small.
 *
 * <p>Not thread-safe: one per stream task, like its store.
 */
public final class FrameSampler {

  private final double rate;
  private final int maxPerMinute;
  private final KeyValueStore<String, byte[]> counts;

  /**
   * @param rate fraction of frames sampled, 0..1
   * @param maxPerMinute cap per camera per minute
   * @param counts per camera: the minute (epoch minutes) and how many frames of it were sampled
   */
  public FrameSampler(double rate, int maxPerMinute, KeyValueStore<String, byte[]> counts) {
    this.rate = rate;
    this.maxPerMinute = maxPerMinute;
    this.counts = counts;
  }

  /** Decides, and counts the frame when it is sampled. */
  public boolean sample(String cameraId, long sequence, long timeMs) {
    if (maxPerMinute <= 0 || !selected("sample", cameraId, sequence, rate)) {
      return false;
    }
    long minute = Math.floorDiv(timeMs, 60_000L);
    byte[] stored = counts.get(cameraId);
    long storedMinute = Long.MIN_VALUE;
    int count = 0;
    if (stored != null) {
      ByteBuffer b = ByteBuffer.wrap(stored);
      storedMinute = b.getLong();
      count = b.getInt();
    }
    if (minute < storedMinute) {
      return false;
    }
    if (minute > storedMinute) {
      count = 0;
    }
    if (count >= maxPerMinute) {
      return false;
    }
    counts.put(cameraId, ByteBuffer.allocate(12).putLong(minute).putInt(count + 1).array());
    return true;
  }

  /**
   * Deterministic selection of a fraction {@code rate} of (camera, sequence) pairs; {@code salt}
   * keeps different selections (samples, PSNR measurements) independent of each other.
   */
  public static boolean selected(String salt, String cameraId, long sequence, double rate) {
    if (rate <= 0) {
      return false;
    }
    if (rate >= 1) {
      return true;
    }
    // murmur2 over the whole key clusters badly for consecutive sequences (one camera got none of
    // 24 frames
    // at rate 0.25): hash the camera once, then mix in the sequence with SplitMix64's finalizer.
    byte[] key = (salt + '\u0000' + cameraId).getBytes(StandardCharsets.UTF_8);
    long h = mix64((Utils.murmur2(key) & 0xffffffffL) * 0x9E3779B97F4A7C15L + sequence);
    double u = (h >>> 11) * 0x1.0p-53;
    return u < rate;
  }

  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
