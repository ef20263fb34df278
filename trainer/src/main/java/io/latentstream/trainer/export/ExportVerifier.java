package io.latentstream.trainer.export;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.trainer.graph.ModelConfig;
import io.latentstream.trainer.graph.TrainingGraph;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Checks an exported package: the manifest's sha256 of every file and the digest in the directory
 * name, then loads both SavedModels with DJL's TensorFlow engine (as the codec does) and compares
 * their outputs on a test image with the training graph's. Stateless; thread-safe.
 */
public final class ExportVerifier {

  /** Largest tolerated absolute difference between the exported models and the training graph. */
  public static final float TOLERANCE = 1e-4f;

  private static final int TEST_HEIGHT = 64;
  private static final int TEST_WIDTH = 96;

  /** Result of a DJL comparison. */
  public record Report(float encoderMaxDiff, float decoderMaxDiff) {}

  /**
   * Verifies files and the round trip; throws {@link IllegalStateException} naming what is wrong.
   */
  public Report verify(Path pkg, TrainingGraph reference) throws IOException {
    verifyFiles(pkg);
    ModelConfig config = reference.config();
    float[] x = testImage();
    ai.djl.ndarray.types.Shape xShape = new Shape(1, TEST_HEIGHT, TEST_WIDTH, 3);
    org.tensorflow.ndarray.Shape tfX =
        org.tensorflow.ndarray.Shape.of(1, TEST_HEIGHT, TEST_WIDTH, 3);
    float[] yRef = reference.analyze(x, tfX);
    org.tensorflow.ndarray.Shape tfY =
        org.tensorflow.ndarray.Shape.of(1, TEST_HEIGHT / 16, TEST_WIDTH / 16, config.m());
    float[] yHat = new float[yRef.length];
    for (int i = 0; i < yHat.length; i++) {
      yHat[i] = Math.round(yRef[i]);
    }
    float[] xRef = reference.synthesize(yHat, tfY);
    for (int i = 0; i < xRef.length; i++) {
      xRef[i] = Math.min(1f, Math.max(0f, xRef[i]));
    }
    float[] y = predict(pkg.resolve("encoder"), InferenceGraph.ENCODER_INPUT, x, xShape);
    float[] xHat =
        predict(
            pkg.resolve("decoder"),
            InferenceGraph.DECODER_INPUT,
            yHat,
            new Shape(1, TEST_HEIGHT / 16, TEST_WIDTH / 16, config.m()));
    Report report = new Report(maxDiff(y, yRef), maxDiff(xHat, xRef));
    if (!(report.encoderMaxDiff() <= TOLERANCE) || !(report.decoderMaxDiff() <= TOLERANCE)) {
      throw new IllegalStateException(
          "exported package " + pkg + " does not reproduce the training graph: " + report);
    }
    return report;
  }

  /** Checks the manifest's file list and hashes, and the digest suffix of the directory name. */
  public static void verifyFiles(Path pkg) throws IOException {
    JsonNode manifest = new ObjectMapper().readTree(pkg.resolve("manifest.json").toFile());
    Map<String, String> actual = PackageExporter.hashFiles(pkg);
    Map<String, String> listed = new java.util.TreeMap<>();
    manifest.get("files").properties().forEach(e -> listed.put(e.getKey(), e.getValue().asText()));
    if (!actual.equals(listed)) {
      throw new IllegalStateException(
          "files of "
              + pkg
              + " do not match its manifest: listed "
              + listed.keySet()
              + ", present "
              + actual.keySet());
    }
    String digest = PackageExporter.packageDigest(listed);
    if (!pkg.getFileName().toString().endsWith("-" + digest.substring(0, 8))
        || !pkg.getFileName().toString().equals(manifest.get("version").asText())) {
      throw new IllegalStateException(
          "package directory "
              + pkg.getFileName()
              + " does not match digest "
              + digest.substring(0, 8)
              + " / version "
              + manifest.get("version").asText());
    }
  }

  private static float[] predict(Path savedModel, String inputName, float[] data, Shape shape)
      throws IOException {
    Criteria<NDList, NDList> criteria =
        Criteria.builder()
            .setTypes(NDList.class, NDList.class)
            .optModelPath(savedModel)
            .optEngine("TensorFlow")
            .optOption("Tags", "serve")
            .optOption("SignatureDefKey", InferenceGraph.SIGNATURE)
            .build();
    try (ZooModel<NDList, NDList> model = criteria.loadModel();
        Predictor<NDList, NDList> predictor = model.newPredictor();
        NDManager manager = NDManager.newBaseManager("TensorFlow")) {
      NDArray in = manager.create(data, shape);
      in.setName(inputName);
      NDList out = predictor.predict(new NDList(in));
      return out.singletonOrThrow().toFloatArray();
    } catch (ModelNotFoundException | MalformedModelException | TranslateException e) {
      throw new IOException("DJL cannot run " + savedModel + ": " + e.getMessage(), e);
    }
  }

  private static float[] testImage() {
    Random r = new Random(42);
    float[] x = new float[TEST_HEIGHT * TEST_WIDTH * 3];
    for (int i = 0; i < TEST_HEIGHT; i++) {
      for (int j = 0; j < TEST_WIDTH; j++) {
        for (int c = 0; c < 3; c++) {
          double v =
              0.5 + 0.3 * Math.sin(i * 0.2 + c) * Math.cos(j * 0.13) + 0.05 * r.nextGaussian();
          x[(i * TEST_WIDTH + j) * 3 + c] = (float) Math.min(1, Math.max(0, v));
        }
      }
    }
    return x;
  }

  private static float maxDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      return Float.POSITIVE_INFINITY;
    }
    float m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
