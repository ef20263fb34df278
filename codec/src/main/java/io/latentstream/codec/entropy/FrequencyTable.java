package io.latentstream.codec.entropy;

import java.util.Arrays;

/**
 * One channel's quantized distribution: symbols {@code minSymbol .. minSymbol+n-1} with frequencies
 * taken from a cumulative table of {@code n+2} entries, plus the escape symbol (the last interval)
 * for values outside the table (docs/model-package.md). Immutable and thread-safe.
 */
public final class FrequencyTable {
  /** Symbol lookups start at one of 2^10 buckets, then scan a few entries: small and fast. */
  private static final int BUCKET_BITS = 10;

  private final int precision;
  private final int minSymbol;
  private final int size;
  private final int[] cdf;
  private final int[] buckets;
  private final int bucketShift;

  private FrequencyTable(int precision, int minSymbol, int[] cdf) {
    this.precision = precision;
    this.minSymbol = minSymbol;
    this.cdf = cdf;
    this.size = cdf.length - 2;
    int bucketBits = Math.min(BUCKET_BITS, precision);
    this.bucketShift = precision - bucketBits;
    this.buckets = new int[1 << bucketBits];
    int index = 0;
    for (int b = 0; b < buckets.length; b++) {
      int slot = b << bucketShift;
      while (cdf[index + 1] <= slot) {
        index++;
      }
      buckets[b] = index;
    }
  }

  /**
   * Validates and builds a table.
   *
   * @throws IllegalArgumentException naming the first broken rule
   */
  public static FrequencyTable of(int precision, int minSymbol, int[] cdf) {
    if (precision < 1 || precision > 16) {
      throw new IllegalArgumentException("precision must be 1..16, was " + precision);
    }
    if (cdf == null || cdf.length < 2) {
      throw new IllegalArgumentException("cdf needs at least 2 entries (n + 2 with n >= 0)");
    }
    if (cdf[0] != 0) {
      throw new IllegalArgumentException("cdf[0] must be 0, was " + cdf[0]);
    }
    int total = 1 << precision;
    if (cdf[cdf.length - 1] != total) {
      throw new IllegalArgumentException(
          "cdf must end at 2^" + precision + " = " + total + ", was " + cdf[cdf.length - 1]);
    }
    for (int i = 1; i < cdf.length; i++) {
      if (cdf[i] <= cdf[i - 1]) {
        throw new IllegalArgumentException(
            "every frequency must be at least 1: cdf["
                + i
                + "]="
                + cdf[i]
                + " <= cdf["
                + (i - 1)
                + "]="
                + cdf[i - 1]);
      }
    }
    long max = (long) minSymbol + cdf.length - 3;
    if (max > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("table runs past Integer.MAX_VALUE");
    }
    return new FrequencyTable(precision, minSymbol, cdf.clone());
  }

  public int precision() {
    return precision;
  }

  public int minSymbol() {
    return minSymbol;
  }

  /**
   * Largest symbol in the table; {@code minSymbol - 1} when the table holds only the escape symbol.
   */
  public int maxSymbol() {
    return minSymbol + size - 1;
  }

  /** Number of table symbols, the escape symbol not counted. */
  public int size() {
    return size;
  }

  /** Index of the escape symbol. */
  public int escapeIndex() {
    return size;
  }

  int start(int index) {
    return cdf[index];
  }

  int frequency(int index) {
    return cdf[index + 1] - cdf[index];
  }

  /** Index whose interval holds {@code slot} (0 <= slot < 2^precision). */
  int indexOfSlot(int slot) {
    int index = buckets[slot >>> bucketShift];
    while (cdf[index + 1] <= slot) {
      index++;
    }
    return index;
  }

  /** Probability of a symbol index under this table, for code-length accounting. */
  public double probability(int index) {
    return frequency(index) / (double) (1 << precision);
  }

  /** Copy of the cumulative table. */
  public int[] cdf() {
    return cdf.clone();
  }

  @Override
  public String toString() {
    return "FrequencyTable[min="
        + minSymbol
        + ", n="
        + size
        + ", escape="
        + frequency(size)
        + "/"
        + (1 << precision)
        + ", cdf="
        + (cdf.length <= 12 ? Arrays.toString(cdf) : cdf.length + " entries")
        + "]";
  }
}
