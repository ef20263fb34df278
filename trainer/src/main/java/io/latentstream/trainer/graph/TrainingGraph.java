package io.latentstream.trainer.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The training graph of the factorized-prior model: {@code loss = lambda * 255^2 * MSE + bpp}, with
 * additive uniform noise standing in for rounding, fused Adam per variable with global-norm
 * gradient clipping, and the entropy bottleneck's auxiliary quantile loss with its own Adam.
 *
 * <p>All state lives in variables that are read and written as plain float arrays ({@link
 * #readState()}, {@link #writeState}), so a checkpoint is exact. The noise comes from a stateless
 * generator seeded by {@code (seed, step)}, so a resumed run draws the same noise as an
 * uninterrupted one.
 *
 * <p>Not thread-safe: one thread drives a graph. Owns its TF graph and session; {@link #close()}
 * releases both.
 */
public final class TrainingGraph implements AutoCloseable {

  /** Adam hyper-parameters (the usual defaults). */
  public static final float BETA1 = 0.9f;

  public static final float BETA2 = 0.999f;
  public static final float EPSILON = 1e-8f;

  private final ModelConfig config;
  private final double lambda;
  private final Graph graph = new Graph();
  private final Session session;
  private final Ops tf;

  private final Map<String, ParameterSpec> specs = new LinkedHashMap<>();
  private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
  private final Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
  private final Map<String, Placeholder<TFloat32>> assignInputs = new LinkedHashMap<>();
  private final Map<String, Op> assigns = new LinkedHashMap<>();

  /** Parameter names trained by the main loss, in order. */
  private final List<String> modelParameters = new ArrayList<>();

  private final Placeholder<TFloat32> x;
  private final Placeholder<TInt64> noiseSeed;
  private final Placeholder<TFloat32> learningRate;
  private final Placeholder<TFloat32> auxLearningRate;
  private final Placeholder<TFloat32> beta1Power;
  private final Placeholder<TFloat32> beta2Power;
  private final Operand<TFloat32> y;
  private final Operand<TFloat32> yTilde;
  private final Operand<TFloat32> xHat;
  private final Operand<TFloat32> loss;
  private final Operand<TFloat32> mse;
  private final Operand<TFloat32> bpp;
  private final Operand<TFloat32> gradNorm;
  private final Operand<TFloat32> auxLoss;
  private final Op trainStep;
  private final Op auxStep;

  /** Builds the graph with the entropy bottleneck learning at the main learning rate. */
  public TrainingGraph(ModelConfig config, double lambda, double clipNorm) {
    this(config, lambda, clipNorm, 1.0);
  }

  /**
   * Builds the graph. {@code clipNorm} bounds the global gradient norm (≤ 0 disables clipping);
   * {@code entropyLearningRateFactor} multiplies the learning rate of the entropy bottleneck's
   * density network (its initial density is very wide, and at the transforms' learning rate it
   * needs many steps to sharpen).
   */
  public TrainingGraph(
      ModelConfig config, double lambda, double clipNorm, double entropyLearningRateFactor) {
    this.config = config;
    this.lambda = lambda;
    this.tf = Ops.create(graph);
    ParameterSource source = this::variable;

    x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
    noiseSeed = tf.withName("noise_seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    learningRate =
        tf.withName("learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    auxLearningRate =
        tf.withName("aux_learning_rate")
            .placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    beta1Power =
        tf.withName("beta1_power").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    beta2Power =
        tf.withName("beta2_power").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));

    Transforms transforms = new Transforms(tf, config, source);
    y = tf.withName("y").identity(transforms.analysis(x));
    // Uniform noise in [-0.5, 0.5); RandomUniform has no gradient, hence stopGradient.
    Operand<TFloat32> noise =
        tf.stopGradient(
            tf.math.sub(
                tf.random.statelessRandomUniform(tf.shape(y), noiseSeed), tf.constant(0.5f)));
    yTilde = tf.withName("y_tilde").identity(tf.math.add(y, noise));
    xHat = tf.withName("x_hat").identity(transforms.synthesis(yTilde));
    EntropyBottleneck bottleneck = new EntropyBottleneck(tf, config.m(), source);
    modelParameters.addAll(specs.keySet());
    modelParameters.remove("eb_quantiles");

    Operand<org.tensorflow.types.TInt32> allAxes4 = tf.constant(new int[] {0, 1, 2, 3});
    mse = tf.withName("mse").math.mean(tf.math.squaredDifference(x, xHat), allAxes4);
    Operand<TFloat32> likelihood = bottleneck.likelihood(yTilde);
    Operand<TFloat32> bits =
        tf.math.div(
            tf.sum(tf.math.neg(tf.math.log(likelihood)), tf.constant(new int[] {0, 1, 2})),
            tf.constant((float) Math.log(2)));
    Operand<TFloat32> pixels =
        tf.dtypes.cast(tf.math.div(tf.size(x), tf.constant(3)), TFloat32.class);
    bpp = tf.withName("bpp").math.div(bits, pixels);
    loss =
        tf.withName("loss")
            .math
            .add(tf.math.mul(tf.constant((float) (lambda * 255 * 255)), mse), bpp);

    // Main optimizer: gradients with respect to the variable reads (never the ref variables
    // themselves).
    List<Operand<?>> wrt = new ArrayList<>();
    for (String name : modelParameters) {
      wrt.add(reads.get(name));
    }
    var grads = tf.gradients(loss, wrt);
    List<Operand<TFloat32>> squares = new ArrayList<>();
    List<Operand<TFloat32>> gradList = new ArrayList<>();
    for (int i = 0; i < modelParameters.size(); i++) {
      Operand<TFloat32> g = grads.dy(i);
      gradList.add(g);
      squares.add(
          tf.sum(
              tf.math.square(g),
              tf.constant(allAxes(specs.get(modelParameters.get(i)).shape().length))));
    }
    gradNorm = tf.withName("grad_norm").math.sqrt(tf.math.addN(squares));
    Operand<TFloat32> scale =
        clipNorm > 0
            ? tf.math.div(
                tf.constant((float) clipNorm),
                tf.math.maximum(gradNorm, tf.constant((float) clipNorm)))
            : tf.constant(1f);
    Operand<TFloat32> entropyLearningRate =
        tf.withName("entropy_learning_rate")
            .math
            .mul(learningRate, tf.constant((float) entropyLearningRateFactor));
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < modelParameters.size(); i++) {
      String name = modelParameters.get(i);
      updates.add(
          adam(
              name,
              tf.math.mul(gradList.get(i), scale),
              name.startsWith("eb_") ? entropyLearningRate : learningRate));
    }
    trainStep = tf.withControlDependencies(updates).withName("train_step").noOp();

    auxLoss = bottleneck.auxLoss();
    Operand<TFloat32> auxGrad = tf.gradients(auxLoss, List.of(reads.get("eb_quantiles"))).dy(0);
    auxStep =
        tf.withControlDependencies(List.of(adam("eb_quantiles", auxGrad, auxLearningRate)))
            .withName("aux_step")
            .noOp();

    session = new Session(graph);
  }

  private static int[] allAxes(int rank) {
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) {
      axes[i] = i;
    }
    return axes;
  }

  private Operand<TFloat32> variable(ParameterSpec spec) {
    Operand<TFloat32> existing = reads.get(spec.name());
    if (existing != null) {
      return existing;
    }
    specs.put(spec.name(), spec);
    return newVariable(spec.name(), spec.shape());
  }

  private Operand<TFloat32> newVariable(String name, long[] shape) {
    Variable<TFloat32> v = tf.withName(name).variable(Shape.of(shape), TFloat32.class);
    Operand<TFloat32> read = tf.withName(name + "_read").identity(v);
    Placeholder<TFloat32> in =
        tf.withName(name + "_in").placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
    variables.put(name, v);
    reads.put(name, read);
    assignInputs.put(name, in);
    assigns.put(name, tf.withName(name + "_assign").assign(v, in));
    return read;
  }

  private Op adam(String name, Operand<TFloat32> grad, Operand<TFloat32> lr) {
    long[] shape = specs.get(name).shape();
    newVariable(name + "_adam_m", shape);
    newVariable(name + "_adam_v", shape);
    return tf.withName(name + "_adam")
        .train
        .applyAdam(
            variables.get(name),
            variables.get(name + "_adam_m"),
            variables.get(name + "_adam_v"),
            beta1Power,
            beta2Power,
            lr,
            tf.constant(BETA1),
            tf.constant(BETA2),
            tf.constant(EPSILON),
            grad);
  }

  /** The model's architecture. */
  public ModelConfig config() {
    return config;
  }

  /** The rate-distortion trade-off this graph optimizes. */
  public double lambda() {
    return lambda;
  }

  /** Trainable parameters (model and quantiles), in creation order. */
  public List<ParameterSpec> parameterSpecs() {
    return List.copyOf(specs.values());
  }

  /**
   * Sets every variable to its initial value: parameters from {@code random}, optimizer slots to
   * zero.
   */
  public void initialize(Random random) {
    ParameterValues values = new ParameterValues();
    for (ParameterSpec spec : specs.values()) {
      values.put(spec.name(), spec.shape(), spec.initialValue(random));
    }
    for (String name : variables.keySet()) {
      if (!values.contains(name)) {
        values.put(name, shapeOf(name), new float[ParameterSpec.size(shapeOf(name))]);
      }
    }
    writeState(values);
  }

  private long[] shapeOf(String name) {
    return assignInputs.get(name).shape().asArray();
  }

  /** Every variable's value (parameters and Adam slots). */
  public ParameterValues readState() {
    var runner = session.runner();
    List<String> names = new ArrayList<>(reads.keySet());
    for (String name : names) {
      runner.fetch(reads.get(name));
    }
    ParameterValues values = new ParameterValues();
    try (Result result = runner.run()) {
      for (int i = 0; i < names.size(); i++) {
        TFloat32 t = (TFloat32) result.get(i);
        float[] data = new float[(int) t.size()];
        t.copyTo(DataBuffers.of(data, false, false));
        values.put(names.get(i), t.shape().asArray(), data);
      }
    }
    return values;
  }

  /**
   * Writes the given variables; names that are not variables of this graph are ignored, and
   * variables missing from {@code values} keep their value. Shapes must match.
   */
  public void writeState(ParameterValues values) {
    var runner = session.runner();
    List<TFloat32> tensors = new ArrayList<>();
    try {
      for (var e : values.entries().entrySet()) {
        Placeholder<TFloat32> in = assignInputs.get(e.getKey());
        if (in == null) {
          continue;
        }
        long[] expected = shapeOf(e.getKey());
        if (!java.util.Arrays.equals(expected, e.getValue().shape())) {
          throw new IllegalArgumentException(
              e.getKey()
                  + ": shape "
                  + java.util.Arrays.toString(e.getValue().shape())
                  + " does not match the graph's "
                  + java.util.Arrays.toString(expected));
        }
        TFloat32 t =
            TFloat32.tensorOf(
                Shape.of(expected), DataBuffers.of(e.getValue().values(), true, false));
        tensors.add(t);
        runner.feed(in, t).addTarget(assigns.get(e.getKey()));
      }
      if (!runner.isEmpty()) {
        runner.run().close();
      }
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  /** Outcome of one optimization step (values computed before the update). */
  public record StepMetrics(double loss, double mse, double bpp, double gradNorm, double auxLoss) {
    /** PSNR in dB of the noisy reconstruction. */
    public double psnr() {
      return 10 * Math.log10(1.0 / mse);
    }

    /** Whether every value is finite. */
    public boolean finite() {
      return Double.isFinite(loss)
          && Double.isFinite(mse)
          && Double.isFinite(bpp)
          && Double.isFinite(gradNorm)
          && Double.isFinite(auxLoss);
    }
  }

  /**
   * Runs one step on {@code batch} ({@code [B,H,W,3]} row-major floats in [0,1]); {@code step} is
   * the 0-based step index (it seeds the noise and Adam's bias correction). The auxiliary step runs
   * after the main one.
   */
  public StepMetrics step(
      float[] batch, Shape batchShape, long step, long seed, float lr, float auxLr) {
    float b1p = (float) Math.pow(BETA1, step + 1);
    float b2p = (float) Math.pow(BETA2, step + 1);
    try (TFloat32 xT = TFloat32.tensorOf(batchShape, DataBuffers.of(batch, true, false));
        TInt64 seedT = TInt64.vectorOf(seed, step);
        TFloat32 lrT = TFloat32.scalarOf(lr);
        TFloat32 auxLrT = TFloat32.scalarOf(auxLr);
        TFloat32 b1T = TFloat32.scalarOf(b1p);
        TFloat32 b2T = TFloat32.scalarOf(b2p)) {
      double lossV;
      double mseV;
      double bppV;
      double normV;
      try (Result r =
          session
              .runner()
              .feed(x, xT)
              .feed(noiseSeed, seedT)
              .feed(learningRate, lrT)
              .feed(beta1Power, b1T)
              .feed(beta2Power, b2T)
              .fetch(loss)
              .fetch(mse)
              .fetch(bpp)
              .fetch(gradNorm)
              .addTarget(trainStep)
              .run()) {
        lossV = scalar(r, 0);
        mseV = scalar(r, 1);
        bppV = scalar(r, 2);
        normV = scalar(r, 3);
      }
      double auxV;
      try (Result r =
          session
              .runner()
              .feed(auxLearningRate, auxLrT)
              .feed(beta1Power, b1T)
              .feed(beta2Power, b2T)
              .fetch(auxLoss)
              .addTarget(auxStep)
              .run()) {
        auxV = scalar(r, 0);
      }
      return new StepMetrics(lossV, mseV, bppV, normV, auxV);
    }
  }

  /** Evaluates loss, MSE and bpp on {@code batch} without updating anything. */
  public StepMetrics evaluate(float[] batch, Shape batchShape, long step, long seed) {
    try (TFloat32 xT = TFloat32.tensorOf(batchShape, DataBuffers.of(batch, true, false));
        TInt64 seedT = TInt64.vectorOf(seed, step);
        Result r =
            session
                .runner()
                .feed(x, xT)
                .feed(noiseSeed, seedT)
                .fetch(loss)
                .fetch(mse)
                .fetch(bpp)
                .fetch(auxLoss)
                .run()) {
      return new StepMetrics(scalar(r, 0), scalar(r, 1), scalar(r, 2), 0, scalar(r, 3));
    }
  }

  /**
   * Latents {@code y} of the analysis transform for an image batch (reference for export checks).
   */
  public float[] analyze(float[] image, Shape shape) {
    try (TFloat32 xT = TFloat32.tensorOf(shape, DataBuffers.of(image, true, false));
        Result r = session.runner().feed(x, xT).fetch(y).run()) {
      return floats(r, 0);
    }
  }

  /**
   * Output of the synthesis transform (unclipped) for given latents (reference for export checks).
   */
  public float[] synthesize(float[] latents, Shape shape) {
    try (TFloat32 yT = TFloat32.tensorOf(shape, DataBuffers.of(latents, true, false));
        Result r = session.runner().feed(yTilde, yT).fetch(xHat).run()) {
      return floats(r, 0);
    }
  }

  private static double scalar(Result r, int i) {
    return ((TFloat32) r.get(i)).getFloat();
  }

  private static float[] floats(Result r, int i) {
    TFloat32 t = (TFloat32) r.get(i);
    float[] data = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(data, false, false));
    return data;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
