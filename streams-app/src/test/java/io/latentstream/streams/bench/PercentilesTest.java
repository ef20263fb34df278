package io.latentstream.streams.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PercentilesTest {

  private static final double[] HUNDRED = new double[100];

  static {
    for (int i = 0; i < 100; i++) {
      HUNDRED[i] = 100 - i; // 100 .. 1, unsorted on purpose
    }
  }

  @Test
  void shouldPickTheNearestRankWhenAskedForP50AndP99() {
    assertThat(Percentiles.of(HUNDRED, 50)).isEqualTo(50.0);
    assertThat(Percentiles.of(HUNDRED, 99)).isEqualTo(99.0);
    assertThat(Percentiles.of(HUNDRED, 100)).isEqualTo(100.0);
    assertThat(Percentiles.of(new double[] {7, 3}, 99)).isEqualTo(7.0);
  }

  @Test
  void shouldAverageTheMiddlePairWhenTheCountIsEven() {
    assertThat(Percentiles.median(new double[] {9, 1, 5})).isEqualTo(5.0);
    assertThat(Percentiles.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
  }

  @Test
  void shouldReturnNaNWhenThereAreNoSamples() {
    assertThat(Percentiles.of(new double[0], 50)).isNaN();
    assertThat(Percentiles.median(new double[0])).isNaN();
  }
}
