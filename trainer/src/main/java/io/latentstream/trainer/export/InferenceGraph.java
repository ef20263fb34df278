package io.latentstream.trainer.export;

import io.latentstream.trainer.graph.EntropyBottleneck;
import io.latentstream.trainer.graph.ModelConfig;
import io.latentstream.trainer.graph.ParameterSpec;
import io.latentstream.trainer.graph.ParameterValues;
import io.latentstream.trainer.graph.Transforms;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A clean inference-only graph of one transform (encoder {@code x -> y} or decoder {@code y_hat ->
 * x_hat}) holding trained values in variables, exported as a SavedModel with tag {@code serve} and
 * signature {@code serving_default}. The encoder also carries the entropy bottleneck's parameters
 * (unused by its signature) so that a package is a complete starting point for fine-tuning ({@link
 * PackageParameters}). Not thread-safe; owns its graph and session until {@link #close()}.
 */
public final class InferenceGraph implements AutoCloseable {

  /** Which transform. */
  public enum Kind {
    ENCODER,
    DECODER
  }

  /** Signature keys and tensor names of the contract. */
  public static final String SIGNATURE = "serving_default";

  public static final String ENCODER_INPUT = "x";
  public static final String ENCODER_OUTPUT = "y";
  public static final String DECODER_INPUT = "y_hat";
  public static final String DECODER_OUTPUT = "x_hat";

  private final Graph graph = new Graph();
  private final Session session;
  private final Signature signature;

  public InferenceGraph(Kind kind, ModelConfig config, ParameterValues values) {
    Ops tf = Ops.create(graph);
    List<Assign<TFloat32>> assigns = new ArrayList<>();
    List<Placeholder<TFloat32>> inputs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    var source =
        new io.latentstream.trainer.graph.ParameterSource() {
          private final java.util.Map<String, Operand<TFloat32>> reads = new java.util.HashMap<>();

          @Override
          public Operand<TFloat32> get(ParameterSpec spec) {
            return reads.computeIfAbsent(
                spec.name(),
                n -> {
                  Variable<TFloat32> v =
                      tf.withName(n).variable(Shape.of(spec.shape()), TFloat32.class);
                  Placeholder<TFloat32> in =
                      tf.withName(n + "_in")
                          .placeholder(TFloat32.class, Placeholder.shape(Shape.of(spec.shape())));
                  assigns.add(tf.withName(n + "_assign").assign(v, in));
                  inputs.add(in);
                  names.add(n);
                  return tf.withName(n + "_read").identity(v);
                });
          }
        };
    Transforms transforms = new Transforms(tf, config, source);
    if (kind == Kind.ENCODER) {
      Placeholder<TFloat32> x =
          tf.withName(ENCODER_INPUT)
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, -1, -1, 3)));
      Operand<TFloat32> y = tf.withName(ENCODER_OUTPUT).identity(transforms.analysis(x));
      new EntropyBottleneck(tf, config.m(), source);
      signature =
          Signature.builder()
              .key(SIGNATURE)
              .input(ENCODER_INPUT, x)
              .output(ENCODER_OUTPUT, y)
              .build();
    } else {
      Placeholder<TFloat32> yHat =
          tf.withName(DECODER_INPUT)
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, -1, -1, config.m())));
      Operand<TFloat32> xHat =
          tf.withName(DECODER_OUTPUT)
              .clipByValue(transforms.synthesis(yHat), tf.constant(0f), tf.constant(1f));
      signature =
          Signature.builder()
              .key(SIGNATURE)
              .input(DECODER_INPUT, yHat)
              .output(DECODER_OUTPUT, xHat)
              .build();
    }
    session = new Session(graph);
    var runner = session.runner();
    List<TFloat32> tensors = new ArrayList<>();
    try {
      for (int i = 0; i < names.size(); i++) {
        ParameterValues.Entry e = values.get(names.get(i));
        TFloat32 t =
            TFloat32.tensorOf(Shape.of(e.shape()), DataBuffers.of(e.values(), true, false));
        tensors.add(t);
        runner.feed(inputs.get(i), t).addTarget(assigns.get(i));
      }
      runner.run().close();
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  /** Writes the SavedModel into {@code dir} (which must not exist yet). */
  public void export(Path dir) throws IOException {
    SavedModelBundle.exporter(dir.toString())
        .withTags(SavedModelBundle.DEFAULT_TAG)
        .withSession(session)
        .withSignature(signature)
        .export();
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
