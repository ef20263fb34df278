package io.latentstream.trainer.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.trainer.Checkpoint;
import io.latentstream.trainer.graph.ModelConfig;
import io.latentstream.trainer.graph.ParameterValues;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Reads the trained parameters back out of a model package, to fine-tune from it ({@code --init}):
 * every variable of the encoder (analysis transform and entropy bottleneck) and decoder
 * SavedModels, found through its {@code <name>_read} identity op. Stateless; thread-safe.
 */
public final class PackageParameters {

  private PackageParameters() {}

  /**
   * Loads the parameters of the package in {@code dir}, checking that its architecture is {@code
   * expected}.
   */
  public static ParameterValues load(Path dir, ModelConfig expected) throws IOException {
    JsonNode manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    ModelConfig actual = Checkpoint.architecture(manifest.get("architecture"));
    if (!actual.equals(expected)) {
      throw new IllegalArgumentException(
          "package " + dir + " has architecture " + actual + ", not " + expected);
    }
    ParameterValues values = new ParameterValues();
    read(dir.resolve("encoder"), values);
    read(dir.resolve("decoder"), values);
    return values;
  }

  private static void read(Path savedModel, ParameterValues into) {
    try (SavedModelBundle bundle =
        SavedModelBundle.load(savedModel.toString(), SavedModelBundle.DEFAULT_TAG)) {
      List<String> names = new ArrayList<>();
      for (Iterator<GraphOperation> it = bundle.graph().operations(); it.hasNext(); ) {
        GraphOperation op = it.next();
        if (op.type().equals("Identity") && op.name().endsWith("_read")) {
          names.add(op.name().substring(0, op.name().length() - "_read".length()));
        }
      }
      var runner = bundle.session().runner();
      names.forEach(n -> runner.fetch(n + "_read"));
      try (Result r = runner.run()) {
        for (int i = 0; i < names.size(); i++) {
          TFloat32 t = (TFloat32) r.get(i);
          float[] v = new float[(int) t.size()];
          t.copyTo(DataBuffers.of(v, false, false));
          into.put(names.get(i), t.shape().asArray(), v);
        }
      }
    }
  }
}
