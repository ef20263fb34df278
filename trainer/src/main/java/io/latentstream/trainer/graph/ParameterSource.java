package io.latentstream.trainer.graph;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Supplies the graph tensor that reads a parameter: a training graph creates a variable (read
 * through {@code identity}, which avoids the ref-variable gradient crash), an export graph does the
 * same from trained values.
 */
@FunctionalInterface
public interface ParameterSource {

  /** Returns the tensor holding the value of {@code spec}, creating it on first use. */
  Operand<TFloat32> get(ParameterSpec spec);
}
