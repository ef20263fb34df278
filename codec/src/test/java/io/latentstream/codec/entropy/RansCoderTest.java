package io.latentstream.codec.entropy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.codec.CorruptBitstreamException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RansCoderTest {

  /** A random valid table: n symbols from minSymbol, every frequency >= 1, escape included. */
  static FrequencyTable randomTable(SplittableRandom rnd, int precision, int minSymbol, int n) {
    int total = 1 << precision;
    int intervals = n + 1;
    double[] w = new double[intervals];
    double sum = 0;
    for (int i = 0; i < intervals; i++) {
      w[i] = Math.pow(rnd.nextDouble(), 3) + 1e-6;
      sum += w[i];
    }
    int[] freq = new int[intervals];
    int used = 0;
    for (int i = 0; i < intervals; i++) {
      freq[i] = 1 + (int) ((total - intervals) * (w[i] / sum));
      used += freq[i];
    }
    freq[rnd.nextInt(intervals)] += total - used;
    int[] cdf = new int[intervals + 1];
    for (int i = 0; i < intervals; i++) {
      cdf[i + 1] = cdf[i] + freq[i];
    }
    return FrequencyTable.of(precision, minSymbol, cdf);
  }

  /**
   * Draws a symbol from the table's own distribution; escapes become values just outside the table.
   */
  static int sample(SplittableRandom rnd, FrequencyTable t) {
    int slot = rnd.nextInt(1 << t.precision());
    int index = t.indexOfSlot(slot);
    if (index != t.escapeIndex()) {
      return t.minSymbol() + index;
    }
    return rnd.nextBoolean()
        ? t.minSymbol() - 1 - rnd.nextInt(4)
        : t.maxSymbol() + 1 + rnd.nextInt(4);
  }

  private static void assertRoundTrip(int[] symbols, List<FrequencyTable> tables) {
    byte[] bytes = RansCoder.encode(symbols, tables);
    int[] back = RansCoder.decode(bytes, 0, bytes.length, symbols.length, tables);
    assertThat(back).isEqualTo(symbols);
  }

  @Test
  void shouldRoundTripRandomStreamsThroughRandomTables() {
    SplittableRandom rnd = new SplittableRandom(42);
    for (int trial = 0; trial < 300; trial++) {
      int channels = 1 + rnd.nextInt(8);
      int precision = 1 + rnd.nextInt(16);
      List<FrequencyTable> tables = new ArrayList<>();
      for (int c = 0; c < channels; c++) {
        int n = rnd.nextInt(Math.min(40, (1 << precision) - 1) + 1);
        tables.add(
            randomTable(rnd, precision, rnd.nextInt(41) - 20, Math.min(n, (1 << precision) - 1)));
      }
      int[] symbols = new int[rnd.nextInt(2000)];
      for (int i = 0; i < symbols.length; i++) {
        FrequencyTable t = tables.get(i % channels);
        symbols[i] = rnd.nextInt(10) == 0 ? rnd.nextInt() : sample(rnd, t);
      }
      assertRoundTrip(symbols, tables);
    }
  }

  @Test
  void shouldRoundTripEveryEscapePathWhenValuesLeaveTheTable() {
    FrequencyTable t =
        FrequencyTable.of(16, -3, new int[] {0, 1000, 30000, 60000, 64000, 65000, 65535, 65536});
    List<Integer> values = new ArrayList<>();
    int[] edges = {t.minSymbol(), t.maxSymbol()};
    for (int e : edges) {
      for (int d = -70; d <= 70; d++) {
        values.add(e + d);
      }
    }
    for (int bit = 0; bit < 31; bit++) {
      values.add(1 << bit);
      values.add(-(1 << bit));
      values.add((1 << bit) + 1);
      values.add(-(1 << bit) - 1);
      values.add(t.maxSymbol() + 1 + (1 << bit));
      values.add(t.minSymbol() - 1 - (1 << bit));
    }
    values.addAll(
        List.of(
            Integer.MAX_VALUE,
            Integer.MIN_VALUE,
            Integer.MAX_VALUE - 1,
            Integer.MIN_VALUE + 1,
            0xffff,
            0x10000,
            0x10001,
            -0xffff,
            -0x10000,
            -0x10001));
    int[] symbols = values.stream().mapToInt(Integer::intValue).toArray();
    assertRoundTrip(symbols, List.of(t));
    for (int v : symbols) { // each one alone, too: escape state at both ends of the stream
      assertRoundTrip(new int[] {v}, List.of(t));
    }
  }

  @Test
  void shouldRoundTripWhenTablesAreDegenerate() {
    // escape only (n = 0), one symbol, frequency-1 symbols, precision 1
    FrequencyTable escapeOnly = FrequencyTable.of(16, 5, new int[] {0, 65536});
    FrequencyTable single = FrequencyTable.of(16, 0, new int[] {0, 65535, 65536});
    FrequencyTable ones = FrequencyTable.of(16, -1, new int[] {0, 1, 2, 65535, 65536});
    FrequencyTable tiny = FrequencyTable.of(1, 7, new int[] {0, 1, 2});
    List<FrequencyTable> tables = List.of(escapeOnly, single, ones, tiny);
    SplittableRandom rnd = new SplittableRandom(7);
    int[] symbols = new int[4000];
    for (int i = 0; i < symbols.length; i++) {
      symbols[i] = rnd.nextInt(9) - 4 + (i % 4 == 3 ? 7 : 0);
    }
    assertRoundTrip(symbols, tables);
    assertRoundTrip(new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, 0}, tables);
  }

  @Test
  void shouldRoundTripWhenStreamIsEmpty() {
    FrequencyTable t = FrequencyTable.of(16, 0, new int[] {0, 65535, 65536});
    byte[] bytes = RansCoder.encode(new int[0], List.of(t));
    assertThat(bytes).hasSize(4);
    assertThat(RansCoder.decode(bytes, 0, bytes.length, 0, List.of(t))).isEmpty();
  }

  @Test
  void shouldStayWithinOnePercentOfIdealCodeLengthOnLongStreams() {
    SplittableRandom rnd = new SplittableRandom(3);
    List<FrequencyTable> tables = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      tables.add(randomTable(rnd, 16, -10, 21));
    }
    int[] symbols = new int[1_000_000];
    for (int i = 0; i < symbols.length; i++) {
      symbols[i] = sample(rnd, tables.get(i % tables.size()));
    }
    byte[] bytes = RansCoder.encode(symbols, tables);
    double ideal = RansCoder.idealBits(symbols, tables);
    assertThat(bytes.length * 8.0).isBetween(ideal, ideal * 1.01);
    assertThat(RansCoder.decode(bytes, 0, bytes.length, symbols.length, tables)).isEqualTo(symbols);
  }

  @Test
  void shouldRejectTruncatedOrExtendedPayloadWithTypedException() {
    SplittableRandom rnd = new SplittableRandom(11);
    FrequencyTable t = randomTable(rnd, 16, -5, 11);
    int[] symbols = new int[500];
    for (int i = 0; i < symbols.length; i++) {
      symbols[i] = sample(rnd, t);
    }
    byte[] bytes = RansCoder.encode(symbols, List.of(t));
    for (int len = 0; len < bytes.length; len++) {
      int cut = len;
      assertThatThrownBy(() -> RansCoder.decode(bytes, 0, cut, symbols.length, List.of(t)))
          .isInstanceOf(CorruptBitstreamException.class);
    }
    byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> RansCoder.decode(longer, 0, longer.length, symbols.length, List.of(t)))
        .isInstanceOf(CorruptBitstreamException.class);
  }

  @Test
  void shouldRejectInvalidTables() {
    assertThatThrownBy(() -> FrequencyTable.of(16, 0, new int[] {0, 0, 65536}))
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> FrequencyTable.of(16, 0, new int[] {0, 100, 65535}))
        .hasMessageContaining("2^16");
    assertThatThrownBy(() -> FrequencyTable.of(16, 0, new int[] {1, 100, 65536}))
        .hasMessageContaining("cdf[0]");
    assertThatThrownBy(() -> FrequencyTable.of(17, 0, new int[] {0, 1 << 17}))
        .hasMessageContaining("precision");
  }

  @Test
  void shouldRoundHalfAwayFromZero() {
    assertThat(EntropyModel.round(0.5f)).isEqualTo(1);
    assertThat(EntropyModel.round(-0.5f)).isEqualTo(-1);
    assertThat(EntropyModel.round(2.49f)).isEqualTo(2);
    assertThat(EntropyModel.round(-2.5f)).isEqualTo(-3);
    assertThat(EntropyModel.round(Float.NaN)).isZero();
    assertThat(EntropyModel.round(1e20f)).isEqualTo(Integer.MAX_VALUE);
    assertThat(EntropyModel.round(-1e20f)).isEqualTo(Integer.MIN_VALUE);
    assertThat(EntropyModel.round(0.49999997f))
        .isZero(); // 0.49999997f + 0.5f would round up to 1 in float
    assertThat(EntropyModel.round(-0.49999997f)).isZero();
    assertThat(EntropyModel.round(8388609f))
        .isEqualTo(8388609); // 2^23 + 1: odd, no fraction bits left
    assertThat(EntropyModel.round(Float.POSITIVE_INFINITY)).isEqualTo(Integer.MAX_VALUE);
    assertThat(EntropyModel.round(Float.NEGATIVE_INFINITY)).isEqualTo(Integer.MIN_VALUE);
  }

  @Test
  void shouldRoundEveryFloatLikeTheDefinitionWhenBitPatternsAreRandom() {
    // the definition written out (floor of |v| + 1/2 with the sign put back, saturating, NaN to 0),
    // against the
    // codec's fast version, over random bit patterns (every exponent, NaNs, infinities) and values
    // near halves
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 2_000_000; i++) {
      float v =
          i % 2 == 0
              ? Float.intBitsToFloat(random.nextInt())
              : (random.nextInt(2001) - 1000) / 2f
                  + (random.nextInt(3) - 1) * Math.ulp(1000f) * random.nextFloat();
      int expected;
      if (Float.isNaN(v)) {
        expected = 0;
      } else {
        double r = v >= 0 ? Math.floor(v + 0.5) : -Math.floor(-v + 0.5);
        expected =
            r >= Integer.MAX_VALUE
                ? Integer.MAX_VALUE
                : r <= Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) r;
      }
      assertThat(EntropyModel.round(v)).as("round(%s)", v).isEqualTo(expected);
    }
  }
}
