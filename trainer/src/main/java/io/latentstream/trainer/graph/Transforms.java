package io.latentstream.trainer.graph;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The analysis transform g_a and synthesis transform g_s of the factorized-prior model (Ballé et
 * al. 2017/2018): four {@code kernel x kernel} stride-2 convolutions with GDN between them,
 * mirrored by transposed convolutions with inverse GDN. All op names are derived from the parameter
 * names so that a training graph and an export graph built with the same config contain the same
 * computation. Not thread-safe: build a graph from one thread.
 */
public final class Transforms {

  /**
   * GDN reparametrization pedestal (as in the reference implementations): keeps the square root
   * well-behaved.
   */
  private static final double PEDESTAL = Math.pow(2, -36);

  private static final double BETA_MIN = 1e-6;
  private static final List<Long> STRIDE_2 = List.of(1L, 2L, 2L, 1L);
  private static final List<Long> STRIDE_1 = List.of(1L, 1L, 1L, 1L);

  private final Ops tf;
  private final ModelConfig config;
  private final ParameterSource params;

  public Transforms(Ops tf, ModelConfig config, ParameterSource params) {
    this.tf = tf;
    this.config = config;
    this.params = params;
  }

  /** g_a: {@code [B,H,W,3]} in [0,1] to latents {@code [B,H/16,W/16,M]}. */
  public Operand<TFloat32> analysis(Operand<TFloat32> x) {
    int n = config.n();
    int[] channels = {3, n, n, n, config.m()};
    Operand<TFloat32> h = x;
    for (int i = 0; i < 4; i++) {
      h = conv("ga_conv" + i, h, channels[i], channels[i + 1]);
      if (i < 3) {
        h = nonlinearity("ga_act" + i, h, channels[i + 1], false);
      }
    }
    return h;
  }

  /** g_s: latents {@code [B,h,w,M]} to an image {@code [B,16h,16w,3]} (not clipped). */
  public Operand<TFloat32> synthesis(Operand<TFloat32> yHat) {
    int n = config.n();
    int[] channels = {config.m(), n, n, n, 3};
    Operand<TFloat32> h = yHat;
    for (int i = 0; i < 4; i++) {
      h = deconv("gs_deconv" + i, h, channels[i], channels[i + 1]);
      if (i < 3) {
        h = nonlinearity("gs_act" + i, h, channels[i + 1], true);
      }
    }
    return h;
  }

  private Operand<TFloat32> conv(String name, Operand<TFloat32> x, int cin, int cout) {
    int k = config.kernel();
    double bound = 1.0 / Math.sqrt((double) cin * k * k);
    Operand<TFloat32> w =
        params.get(ParameterSpec.uniform(name + "_w", new long[] {k, k, cin, cout}, bound));
    Operand<TFloat32> b = params.get(ParameterSpec.constant(name + "_b", new long[] {cout}, 0f));
    Operand<TFloat32> y = tf.withName(name).nn.conv2d(x, w, STRIDE_2, "SAME");
    return tf.withName(name + "_bias").nn.biasAdd(y, b);
  }

  private Operand<TFloat32> deconv(String name, Operand<TFloat32> x, int cin, int cout) {
    int k = config.kernel();
    double bound = 1.0 / Math.sqrt((double) cin * k * k);
    // Conv2DBackpropInput's filter is [k, k, out, in].
    Operand<TFloat32> w =
        params.get(ParameterSpec.uniform(name + "_w", new long[] {k, k, cout, cin}, bound));
    Operand<TFloat32> b = params.get(ParameterSpec.constant(name + "_b", new long[] {cout}, 0f));
    // Output shape [B, 2H, 2W, cout] from the dynamic input shape: shape * [1,2,2,0] +
    // [0,0,0,cout].
    Operand<TInt32> shape = tf.withName(name + "_inshape").shape(x);
    Operand<TInt32> outShape =
        tf.withName(name + "_outshape")
            .math
            .add(
                tf.math.mul(shape, tf.constant(new int[] {1, 2, 2, 0})),
                tf.constant(new int[] {0, 0, 0, cout}));
    Operand<TFloat32> y =
        tf.withName(name).nn.conv2dBackpropInput(outShape, w, x, STRIDE_2, "SAME");
    return tf.withName(name + "_bias").nn.biasAdd(y, b);
  }

  private Operand<TFloat32> nonlinearity(
      String name, Operand<TFloat32> x, int channels, boolean inverse) {
    return switch (config.nonlinearity()) {
      case RELU -> tf.withName(name).nn.relu(x);
      case GDN -> gdn(name, x, channels, inverse);
    };
  }

  /**
   * GDN: {@code x * rsqrt(beta + conv1x1(x^2, gamma))}; inverse GDN multiplies by the square root
   * instead. beta and gamma are stored as square roots and bounded below, so the effective values
   * stay positive.
   */
  private Operand<TFloat32> gdn(String name, Operand<TFloat32> x, int c, boolean inverse) {
    float[] betaInit = new float[c];
    java.util.Arrays.fill(betaInit, (float) Math.sqrt(1.0 + PEDESTAL));
    float[] gammaInit = new float[c * c];
    for (int i = 0; i < c; i++) {
      for (int j = 0; j < c; j++) {
        gammaInit[i * c + j] = (float) Math.sqrt((i == j ? 0.1 : 0.0) + PEDESTAL);
      }
    }
    Operand<TFloat32> betaRaw =
        params.get(ParameterSpec.fixed(name + "_beta", new long[] {c}, betaInit));
    Operand<TFloat32> gammaRaw =
        params.get(ParameterSpec.fixed(name + "_gamma", new long[] {1, 1, c, c}, gammaInit));
    Operand<TFloat32> beta =
        nonNegative(name + "_beta_eff", betaRaw, Math.sqrt(BETA_MIN + PEDESTAL));
    Operand<TFloat32> gamma = nonNegative(name + "_gamma_eff", gammaRaw, Math.sqrt(PEDESTAL));
    Operand<TFloat32> norm =
        tf.withName(name + "_norm")
            .nn
            .conv2d(tf.withName(name + "_sq").math.square(x), gamma, STRIDE_1, "VALID");
    norm = tf.withName(name + "_normb").nn.biasAdd(norm, beta);
    Operand<TFloat32> scale =
        inverse
            ? tf.withName(name + "_sqrt").math.sqrt(norm)
            : tf.withName(name + "_rsqrt").math.rsqrt(norm);
    return tf.withName(name).math.mul(x, scale);
  }

  private Operand<TFloat32> nonNegative(String name, Operand<TFloat32> raw, double bound) {
    Operand<TFloat32> bounded = tf.math.maximum(raw, tf.constant((float) bound));
    return tf.withName(name).math.sub(tf.math.square(bounded), tf.constant((float) PEDESTAL));
  }
}
