package io.latentstream.codec.sequence;

/**
 * The encoder's rate-distortion knobs for DELTA frames. With t = y - median the unrounded latent
 * value and r its reference symbol, plain rounding changes r whenever |t - r| >= 0.5.
 *
 * @param deadZone a value keeps its reference unless {@code |t - r| >= 0.5 + deadZone}: small
 *     changes (sensor noise flipping a value across a rounding boundary) cost no bits. 0 = plain
 *     rounding, i.e. DELTA frames decode to exactly what KEY frames of the same images would
 * @param skipZone a whole latent position (all M channels) keeps its reference when every channel
 *     stays within {@code 0.5 + skipZone}; at least {@code deadZone}. Skipped positions cost a
 *     fraction of a bit
 */
public record DeltaOptions(double deadZone, double skipZone) {
  /**
   * Chosen on the tuning clip (opencv-doc's tree.avi, never on the footage we report;
   * docs/bitstream.md): BD-rate against per-frame coding fell from -48 % (plain rounding) to -77 %
   * here and -82 % at (1.0, 1.5), but past this point every level loses more than 1 dB on busy
   * scenes and slow changes (light) wait longer before they show.
   */
  public static final DeltaOptions DEFAULT = new DeltaOptions(0.5, 0.9);

  /** Plain rounding: DELTA frames reconstruct exactly as KEY frames of the same images would. */
  public static final DeltaOptions LOSSLESS = new DeltaOptions(0, 0);

  public DeltaOptions {
    if (!(deadZone >= 0 && deadZone < 8) || !(skipZone >= deadZone && skipZone < 8)) {
      throw new IllegalArgumentException(
          "need 0 <= deadZone <= skipZone < 8, was " + deadZone + ", " + skipZone);
    }
  }
}
