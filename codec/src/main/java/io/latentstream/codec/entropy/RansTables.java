package io.latentstream.codec.entropy;

import java.util.List;

/**
 * Per-channel frequency tables flattened into a few primitive arrays for the rANS inner loops: one
 * cumulative array for all channels and a 256-bucket slot index per channel, so that 192 channels
 * stay within a few hundred KB of cache. Built once per model ({@link EntropyModel#ransTables()}).
 * Immutable and thread-safe.
 */
public final class RansTables {
  static final int BUCKET_BITS = 8;

  final int channels;
  final int[] cdf;
  final int[] offset;
  final int[] minSymbol;
  final int[] maxSymbol;
  final int[] escape;
  final int[] precision;
  final int[] bucketShift;
  final char[] bucket;

  private RansTables(List<FrequencyTable> tables) {
    channels = tables.size();
    if (channels == 0) {
      throw new IllegalArgumentException("no tables");
    }
    offset = new int[channels];
    minSymbol = new int[channels];
    maxSymbol = new int[channels];
    escape = new int[channels];
    precision = new int[channels];
    bucketShift = new int[channels];
    bucket = new char[channels << BUCKET_BITS];
    int total = 0;
    for (FrequencyTable t : tables) {
      total += t.size() + 2;
    }
    cdf = new int[total];
    int at = 0;
    for (int c = 0; c < channels; c++) {
      FrequencyTable t = tables.get(c);
      int[] table = t.cdf();
      System.arraycopy(table, 0, cdf, at, table.length);
      offset[c] = at;
      minSymbol[c] = t.minSymbol();
      maxSymbol[c] = t.maxSymbol();
      escape[c] = t.escapeIndex();
      precision[c] = t.precision();
      int bits = Math.min(BUCKET_BITS, t.precision());
      bucketShift[c] = t.precision() - bits;
      int index = 0;
      for (int b = 0; b < (1 << bits); b++) {
        int slot = b << bucketShift[c];
        while (table[index + 1] <= slot) {
          index++;
        }
        bucket[(c << BUCKET_BITS) + b] = (char) index;
      }
      at += table.length;
    }
  }

  /** Compiles a list of tables; symbol {@code i} of a stream uses table {@code i % size}. */
  public static RansTables of(List<FrequencyTable> tables) {
    return new RansTables(List.copyOf(tables));
  }

  public int channels() {
    return channels;
  }
}
