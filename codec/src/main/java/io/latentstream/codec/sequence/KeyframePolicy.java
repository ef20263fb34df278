package io.latentstream.codec.sequence;

/**
 * When a {@link SequenceEncoder} starts a new chain besides the cases it must (first frame, model,
 * format or sequence change, request).
 *
 * @param intervalFrames a key frame at least every this many frames (1 = every frame is a KEY); the
 *     chain of a DELTA is at most {@code intervalFrames - 1} long, which also bounds the cost of
 *     random access
 * @param intervalMs a key frame when this many milliseconds of capture time have passed since the
 *     last one; 0 = no time limit (frames without a time never trigger it)
 */
public record KeyframePolicy(int intervalFrames, long intervalMs) {
  /**
   * The default: 250 frames (x264's default GOP; 8.3 s at 30 fps) or 10 s. On the fixed-camera
   * footage a KEY frame costs as much as 11 to 15 DELTA frames and key frames are 5-7 % of the
   * bytes (docs/bitstream.md), so longer intervals save little while every late joiner waits longer
   * and random access walks longer chains.
   */
  public static final KeyframePolicy DEFAULT = new KeyframePolicy(250, 10_000);

  /** Every frame a KEY frame: per-frame coding through the same path. */
  public static final KeyframePolicy ALL_KEY = new KeyframePolicy(1, 0);

  public KeyframePolicy {
    if (intervalFrames < 1) {
      throw new IllegalArgumentException(
          "key frame interval must be at least 1 frame, was " + intervalFrames);
    }
    if (intervalMs < 0) {
      throw new IllegalArgumentException(
          "key frame interval must not be negative, was " + intervalMs + " ms");
    }
  }
}
