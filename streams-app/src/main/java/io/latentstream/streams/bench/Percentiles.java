package io.latentstream.streams.bench;

import java.util.Arrays;

/** Order statistics of benchmark samples (nearest rank). Stateless and thread-safe. */
final class Percentiles {

  private Percentiles() {}

  /**
   * The {@code p}-th percentile, nearest rank: the smallest sample with at least {@code p}% of the
   * samples at or below it ({@code p = 100} is the maximum).
   */
  static double of(double[] samples, double p) {
    if (samples.length == 0) {
      return Double.NaN;
    }
    double[] sorted = samples.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** The median; the mean of the two middle samples for an even count. */
  static double median(double[] samples) {
    if (samples.length == 0) {
      return Double.NaN;
    }
    double[] s = samples.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
