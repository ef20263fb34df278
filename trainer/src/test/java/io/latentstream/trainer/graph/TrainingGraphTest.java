package io.latentstream.trainer.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.latentstream.trainer.Checkpoint;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;

class TrainingGraphTest {

  static final ModelConfig TINY = new ModelConfig(8, 8, 5, ModelConfig.Nonlinearity.GDN);
  static final Shape BATCH = Shape.of(2, 32, 32, 3);

  /** A smooth fixed batch with some texture, like a natural image crop. */
  static float[] fixedBatch() {
    Random r = new Random(3);
    float[] x = new float[(int) BATCH.size()];
    for (int b = 0; b < 2; b++) {
      for (int i = 0; i < 32; i++) {
        for (int j = 0; j < 32; j++) {
          for (int c = 0; c < 3; c++) {
            double v =
                0.5
                    + 0.3 * Math.sin(0.2 * i + b + c) * Math.cos(0.15 * j)
                    + 0.03 * r.nextGaussian();
            x[((b * 32 + i) * 32 + j) * 3 + c] = (float) Math.min(1, Math.max(0, v));
          }
        }
      }
    }
    return x;
  }

  @Test
  void shouldLowerTheLossWhenTrainingOnAFixedBatch() {
    float[] batch = fixedBatch();
    try (TrainingGraph graph = new TrainingGraph(TINY, 0.0483, 1.0)) {
      graph.initialize(new Random(1));
      double first = graph.evaluate(batch, BATCH, 0, 5).loss();
      double last = 0;
      for (int step = 0; step < 80; step++) {
        TrainingGraph.StepMetrics m = graph.step(batch, BATCH, step, 5, 1e-3f, 1e-3f);
        assertThat(m.finite()).isTrue();
      }
      for (int k = 0; k < 5; k++) {
        last += graph.evaluate(batch, BATCH, 1000 + k, 5).loss() / 5;
      }
      assertThat(last).isLessThan(0.7 * first);
    }
  }

  @Test
  void shouldGiveTheSameNextStepLossWhenResumedFromACheckpoint(@TempDir Path run) throws Exception {
    float[] batch = fixedBatch();
    double uninterrupted;
    try (TrainingGraph graph = new TrainingGraph(TINY, 0.0483, 1.0)) {
      graph.initialize(new Random(1));
      for (int step = 0; step < 5; step++) {
        graph.step(batch, BATCH, step, 9, 1e-3f, 1e-3f);
      }
      new Checkpoint(5, 9, 0.0483, TINY, graph.readState()).write(run);
      graph.step(batch, BATCH, 5, 9, 1e-3f, 1e-3f);
      uninterrupted = graph.step(batch, BATCH, 6, 9, 1e-3f, 1e-3f).loss();
    }
    try (TrainingGraph resumed = new TrainingGraph(TINY, 0.0483, 1.0)) {
      resumed.initialize(new Random(77));
      Checkpoint c = Checkpoint.read(run);
      assertThat(c.step()).isEqualTo(5);
      resumed.writeState(c.values());
      resumed.step(batch, BATCH, 5, 9, 1e-3f, 1e-3f);
      double loss = resumed.step(batch, BATCH, 6, 9, 1e-3f, 1e-3f).loss();
      assertThat(loss).isCloseTo(uninterrupted, within(1e-4 * Math.abs(uninterrupted)));
    }
  }
}
