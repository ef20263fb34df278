package io.latentstream.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.trainer.graph.ModelConfig;
import io.latentstream.trainer.graph.TrainingGraph;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EntropyTablesTest {

  @Test
  void shouldSumToPrecisionWithEveryFrequencyPositiveWhenProbabilitiesAreTinyOrZero() {
    double[] pmf = {0.5, 1e-12, 0.0, 0.3, 0.2 - 1e-9, 1e-9};
    int[] cdf = EntropyTables.quantize(pmf);
    assertThat(cdf).hasSize(pmf.length + 1);
    assertThat(cdf[0]).isZero();
    assertThat(cdf[pmf.length]).isEqualTo(1 << 16);
    for (int i = 0; i < pmf.length; i++) {
      assertThat(cdf[i + 1] - cdf[i]).isGreaterThanOrEqualTo(1);
    }
    // Frequencies follow the probabilities.
    assertThat(cdf[1] - cdf[0]).isGreaterThan(cdf[4] - cdf[3]);
  }

  @Test
  void shouldBuildValidTablesForEveryChannelWhenBuiltFromAnInitializedModel() {
    ModelConfig config = new ModelConfig(8, 8, 5, ModelConfig.Nonlinearity.GDN);
    try (TrainingGraph graph = new TrainingGraph(config, 0.01, 1.0)) {
      graph.initialize(new Random(2));
      EntropyTables tables = EntropyTables.build(graph.readState(), 8);
      assertThat(tables.channels()).hasSize(8);
      for (EntropyTables.Channel ch : tables.channels()) {
        int[] cdf = ch.cdf();
        assertThat(cdf[0]).isZero();
        assertThat(cdf[cdf.length - 1]).isEqualTo(1 << 16);
        for (int i = 0; i + 1 < cdf.length; i++) {
          assertThat(cdf[i + 1] - cdf[i]).isGreaterThanOrEqualTo(1);
        }
        // Initial quantiles are ±10 around 0: 21 symbols from -10.
        assertThat(ch.minSymbol()).isEqualTo(-10);
        assertThat(ch.symbols()).isEqualTo(21);
      }
      // The most likely symbol costs fewer bits than a far one.
      assertThat(tables.bits(0, 0)).isLessThan(tables.bits(0, 9));
    }
  }
}
