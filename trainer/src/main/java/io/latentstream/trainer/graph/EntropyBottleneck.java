package io.latentstream.trainer.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The factorized entropy bottleneck (Ballé et al. 2018, appendix 6.1): per latent channel a small
 * monotone network (filters 3,3,3; matrices through softplus, biases, tanh factors) whose output is
 * the logit of a cumulative density. The likelihood of a noisy latent is the density's mass on its
 * unit bin. Per-channel quantiles (tail mass {@link #TAIL_MASS}) bounding the tables are learned
 * with a separate auxiliary loss, as CompressAI does. Not thread-safe: build a graph from one
 * thread.
 */
public final class EntropyBottleneck {

  /** Filters of the density network between the scalar input and the scalar output. */
  public static final int[] FILTERS = {1, 3, 3, 3, 1};

  /** Tail mass outside the learned quantiles. */
  public static final double TAIL_MASS = 1e-9;

  /** Lower bound of the likelihood, so that the rate stays finite. */
  public static final float LIKELIHOOD_BOUND = 1e-9f;

  private static final double INIT_SCALE = 10.0;

  private final Ops tf;
  private final int channels;
  private final List<Operand<TFloat32>> matrices = new ArrayList<>();
  private final List<Operand<TFloat32>> biases = new ArrayList<>();
  private final List<Operand<TFloat32>> factors = new ArrayList<>();
  private final Operand<TFloat32> quantiles;

  public EntropyBottleneck(Ops tf, int channels, ParameterSource params) {
    this.tf = tf;
    this.channels = channels;
    int layers = FILTERS.length - 1;
    double scale = Math.pow(INIT_SCALE, 1.0 / layers);
    for (int i = 0; i < layers; i++) {
      long[] mShape = {channels, FILTERS[i + 1], FILTERS[i]};
      float init = (float) Math.log(Math.expm1(1.0 / scale / FILTERS[i + 1]));
      matrices.add(params.get(ParameterSpec.constant("eb_matrix" + i, mShape, init)));
      biases.add(
          params.get(
              ParameterSpec.uniform("eb_bias" + i, new long[] {channels, FILTERS[i + 1], 1}, 0.5)));
      // The last layer has no tanh factor.
      factors.add(
          i < layers - 1
              ? params.get(
                  ParameterSpec.constant(
                      "eb_factor" + i, new long[] {channels, FILTERS[i + 1], 1}, 0f))
              : null);
    }
    float[] q = new float[channels * 3];
    for (int c = 0; c < channels; c++) {
      q[3 * c] = (float) -INIT_SCALE;
      q[3 * c + 2] = (float) INIT_SCALE;
    }
    quantiles = params.get(ParameterSpec.fixed("eb_quantiles", new long[] {channels, 1, 3}, q));
  }

  /** Number of latent channels. */
  public int channels() {
    return channels;
  }

  /**
   * Logits of the cumulative density at {@code v} of shape {@code [C,1,K]}; with {@code
   * stopGradient} the network parameters receive no gradient (the auxiliary loss only moves the
   * quantiles).
   */
  public Operand<TFloat32> logitsCumulative(
      String name, Operand<TFloat32> v, boolean stopGradient) {
    Operand<TFloat32> logits = v;
    for (int i = 0; i < matrices.size(); i++) {
      Operand<TFloat32> matrix = tf.math.softplus(maybeStop(matrices.get(i), stopGradient));
      // [C,out,in,1] * [C,1,in,K] summed over "in": a per-channel matrix product with plain Mul/Sum
      // gradients.
      Operand<TFloat32> prod =
          tf.math.mul(tf.expandDims(matrix, tf.constant(3)), tf.expandDims(logits, tf.constant(1)));
      logits = tf.sum(prod, tf.constant(2));
      logits = tf.math.add(logits, maybeStop(biases.get(i), stopGradient));
      if (factors.get(i) != null) {
        Operand<TFloat32> factor = tf.math.tanh(maybeStop(factors.get(i), stopGradient));
        logits = tf.math.add(logits, tf.math.mul(factor, tf.math.tanh(logits)));
      }
    }
    return tf.withName(name).identity(logits);
  }

  private Operand<TFloat32> maybeStop(Operand<TFloat32> t, boolean stop) {
    return stop ? tf.stopGradient(t) : t;
  }

  /**
   * Likelihood of each element of {@code y} ({@code [B,H,W,C]}, already noisy) as the mass of the
   * unit bin around it, bounded below by {@link #LIKELIHOOD_BOUND}. Returns shape {@code
   * [C,1,B*H*W]}.
   */
  public Operand<TFloat32> likelihood(Operand<TFloat32> y) {
    Operand<TFloat32> v =
        tf.reshape(
            tf.linalg.transpose(y, tf.constant(new int[] {3, 0, 1, 2})),
            tf.constant(new int[] {channels, 1, -1}));
    Operand<TFloat32> half = tf.constant(0.5f);
    Operand<TFloat32> lower = logitsCumulative("eb_lower", tf.math.sub(v, half), false);
    Operand<TFloat32> upper = logitsCumulative("eb_upper", tf.math.add(v, half), false);
    // Evaluate on the side of the sigmoid where it is not saturated (the "sign trick").
    Operand<TFloat32> sign = tf.stopGradient(tf.math.neg(tf.math.sign(tf.math.add(lower, upper))));
    Operand<TFloat32> mass =
        tf.math.abs(
            tf.math.sub(
                tf.math.sigmoid(tf.math.mul(sign, upper)),
                tf.math.sigmoid(tf.math.mul(sign, lower))));
    return tf.withName("eb_likelihood").math.maximum(mass, tf.constant(LIKELIHOOD_BOUND));
  }

  /**
   * Auxiliary loss: the learned quantiles move to where the CDF is TAIL_MASS/2, 0.5 and
   * 1-TAIL_MASS/2.
   */
  public Operand<TFloat32> auxLoss() {
    float t = (float) Math.log(2 / TAIL_MASS - 1);
    float[] target = new float[channels * 3];
    for (int c = 0; c < channels; c++) {
      target[3 * c] = -t;
      target[3 * c + 2] = t;
    }
    Operand<TFloat32> logits = logitsCumulative("eb_quantile_logits", quantiles, true);
    Operand<TFloat32> targetT =
        tf.reshape(tf.constant(target), tf.constant(new int[] {channels, 1, 3}));
    Operand<TFloat32> diff = tf.math.abs(tf.math.sub(logits, targetT));
    return tf.withName("aux_loss").sum(diff, tf.constant(new int[] {0, 1, 2}));
  }

  /** The tensor reading the quantiles (for the auxiliary optimizer). */
  public Operand<TFloat32> quantiles() {
    return quantiles;
  }

  @Override
  public String toString() {
    return "EntropyBottleneck[channels=" + channels + ", filters=" + Arrays.toString(FILTERS) + "]";
  }
}
