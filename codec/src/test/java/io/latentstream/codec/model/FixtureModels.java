package io.latentstream.codec.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentstream.codec.entropy.EntropyModel;
import io.latentstream.codec.entropy.FrequencyTable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Tiny deterministic model packages built with TF Java at test time, in the exact package format,
 * so the codec is testable without the trainer.
 *
 * <p>Analysis: three 2x2 stride-2 averaging convolutions, then a 2x2 stride-2 convolution to M=6
 * channels: the mean R, G, B of each 16x16 block and three 2x2 Haar details of its luma; times
 * {@code scale}. Synthesis: divide by {@code scale}, a 2x2 stride-2 transposed convolution that
 * inverts the Haar step, three replicating transposed convolutions, clip to [0, 1]. A larger scale
 * quantizes more finely: quality levels {@code default-q1..q3} use scales 4, 16, 64, so PSNR and
 * rate both rise with quality. Entropy tables are discretized Laplacians chosen so that extreme
 * values take the escape path.
 */
public final class FixtureModels {
  public static final int STRIDE = 16;
  public static final int M = 6;
  public static final float[] SCALES = {4f, 16f, 64f};
  private static final String STAMP = "20261125000000";

  private FixtureModels() {}

  /**
   * {@code target/fixture-models}: a models directory with {@code default-q1..q3}, built once and
   * reused.
   */
  public static synchronized Path modelsDir() {
    Path dir = Paths.get("target", "fixture-models").toAbsolutePath();
    try {
      for (int q = 1; q <= SCALES.length; q++) {
        if (find(dir, "default-q" + q) == null) {
          build(dir, "default-q" + q, q, SCALES[q - 1]);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot build fixture models", e);
    }
    return dir;
  }

  /** The package directory of quality level {@code q} (1..3). */
  public static Path level(int q) {
    Path dir = find(modelsDir(), "default-q" + q);
    if (dir == null) {
      throw new IllegalStateException("fixture default-q" + q + " missing");
    }
    return dir;
  }

  private static Path find(Path dir, String name) {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> p.getFileName().toString().startsWith(name + "-" + STAMP + "-"))
          .filter(
              p -> {
                try {
                  ModelPackage.open(p);
                  return true;
                } catch (RuntimeException e) {
                  return false;
                }
              })
          .findFirst()
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The trainer-made fixture package committed under {@code codec/src/test/resources/fixture-model}
   * of the repository at {@code root} (N=8, M=8, with its training variables: what the trainer's
   * tests fine-tune).
   */
  public static Path trainerFixture(Path root) {
    try (Stream<Path> s = Files.list(root.resolve("codec/src/test/resources/fixture-model"))) {
      return s.filter(p -> Files.isRegularFile(p.resolve("manifest.json")))
          .findFirst()
          .orElseThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Copies package {@code pkg} into {@code modelsDir} under its own directory name and returns the
   * copy: the one package copy of every module's tests.
   */
  public static Path copyPackage(Path pkg, Path modelsDir) {
    return copyTree(pkg, modelsDir.resolve(pkg.getFileName().toString()));
  }

  /**
   * Copies package {@code pkg} (named {@code <name>-<timestamp>-<digest8>}) into {@code modelsDir}
   * as model {@code name}: same files, so the same digest; the version becomes {@code
   * name-<timestamp>-<digest8>} and the manifest's name, version and (unless null) quality are
   * rewritten. Returns the copy.
   */
  public static Path copyPackageAs(Path pkg, Path modelsDir, String name, Integer quality) {
    String old = pkg.getFileName().toString();
    String version = name + old.substring(old.indexOf('-'));
    Path target = copyTree(pkg, modelsDir.resolve(version));
    try {
      ObjectMapper json = new ObjectMapper();
      ObjectNode manifest = (ObjectNode) json.readTree(target.resolve("manifest.json").toFile());
      manifest.put("name", name).put("version", version);
      if (quality != null) {
        manifest.put("quality", quality);
      }
      json.writerWithDefaultPrettyPrinter()
          .writeValue(target.resolve("manifest.json").toFile(), manifest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  private static Path copyTree(Path from, Path to) {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path out = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(out);
        } else {
          Files.copy(p, out);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }

  /** Builds one package under {@code parent}; returns its directory. */
  public static Path build(Path parent, String name, int quality, float scale) throws IOException {
    TensorFlowRuntime.engine(); // points TF at the natives before TF Java loads them
    Files.createDirectories(parent);
    Path staging = Files.createTempDirectory(parent, ".staging-");
    exportEncoder(staging.resolve("encoder"), scale);
    exportDecoder(staging.resolve("decoder"), scale);
    try (OutputStream out = Files.newOutputStream(staging.resolve("entropy.json"))) {
      entropyModel(scale).write(out);
    }
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(staging)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        files.put(staging.relativize(p).toString().replace('\\', '/'), PackageDigest.sha256(p));
      }
    }
    String version = name + "-" + STAMP + "-" + PackageDigest.packageDigest(files).substring(0, 8);
    writeManifest(staging.resolve("manifest.json"), name, version, quality, scale, files);
    Path target = parent.resolve(version);
    if (Files.exists(target)) {
      deleteTree(staging);
      return target;
    }
    Files.move(staging, target);
    return target;
  }

  static void writeManifest(
      Path file, String name, String version, int quality, float scale, Map<String, String> files)
      throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("format", ModelManifest.FORMAT);
    root.put("name", name);
    root.put("version", version);
    root.put("createdAt", "2026-11-25T00:00:00Z");
    root.putNull("parentVersion");
    root.put("quality", quality);
    ObjectNode arch = root.putObject("architecture");
    arch.put("type", "fixture-haar");
    arch.put("scale", scale);
    root.put("lambda", 0.0);
    root.put("latentChannels", M);
    root.put("stride", STRIDE);
    root.put("cdfPrecision", 16);
    ObjectNode enc = root.putObject("encoder");
    enc.put("signature", "serving_default").put("input", "x").put("output", "y");
    ObjectNode dec = root.putObject("decoder");
    dec.put("signature", "serving_default").put("input", "y_hat").put("output", "x_hat");
    ObjectNode f = root.putObject("files");
    files.forEach(f::put);
    json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
  }

  /**
   * Laplacian tables: wide for the block means, narrow for the Haar details (so escapes happen).
   */
  public static EntropyModel entropyModel(float scale) {
    float[] medians = new float[M];
    List<FrequencyTable> tables = new ArrayList<>();
    for (int c = 0; c < M; c++) {
      boolean mean = c < 3;
      medians[c] = mean ? scale * 0.45f : 0f;
      double b = mean ? scale * 0.2 : Math.max(0.3, scale * 0.02);
      int half = mean ? (int) Math.ceil(scale * 0.4) : (int) Math.ceil(Math.max(1, scale * 0.06));
      tables.add(laplace(-half, 2 * half + 1, b, 0.01));
    }
    return new EntropyModel(16, medians, tables);
  }

  static FrequencyTable laplace(int min, int n, double b, double escapeMass) {
    int total = 1 << 16;
    double[] p = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      p[i] = Math.exp(-Math.abs(min + i) / b);
      sum += p[i];
    }
    int budget = total - (int) Math.round(escapeMass * total);
    int[] freq = new int[n + 1];
    int used = 0;
    for (int i = 0; i < n; i++) {
      freq[i] = Math.max(1, (int) Math.floor(p[i] / sum * (budget - n)));
      used += freq[i];
    }
    freq[n] = total - used;
    int[] cdf = new int[n + 2];
    for (int i = 0; i <= n; i++) {
      cdf[i + 1] = cdf[i] + freq[i];
    }
    return FrequencyTable.of(16, min, cdf);
  }

  private static void exportEncoder(Path dir, float scale) throws IOException {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x =
          tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      Operand<TFloat32> h = x;
      for (int level = 0; level < 3; level++) {
        h = tf.nn.conv2d(h, tf.constant(averaging()), List.of(1L, 2L, 2L, 1L), "VALID");
      }
      h = tf.nn.conv2d(h, tf.constant(haar()), List.of(1L, 2L, 2L, 1L), "VALID");
      Operand<TFloat32> y = tf.withName("y").math.mul(h, tf.constant(scale));
      SavedModelBundle.exporter(dir.toString())
          .withSession(s)
          .withSignature(
              Signature.builder().key("serving_default").input("x", x).output("y", y).build())
          .export();
    }
  }

  private static void exportDecoder(Path dir, float scale) throws IOException {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> yHat =
          tf.withName("y_hat")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, M)));
      Operand<TFloat32> h = tf.math.mul(yHat, tf.constant(1f / scale));
      h = upsample(tf, h, inverseHaar());
      for (int level = 0; level < 3; level++) {
        h = upsample(tf, h, replicate());
      }
      Operand<TFloat32> xHat =
          tf.withName("x_hat").clipByValue(h, tf.constant(0f), tf.constant(1f));
      SavedModelBundle.exporter(dir.toString())
          .withSession(s)
          .withSignature(
              Signature.builder()
                  .key("serving_default")
                  .input("y_hat", yHat)
                  .output("x_hat", xHat)
                  .build())
          .export();
    }
  }

  private static Operand<TFloat32> upsample(Ops tf, Operand<TFloat32> in, float[][][][] filter) {
    Operand<TInt32> shape =
        tf.math.add(
            tf.math.mul(tf.shape(in), tf.constant(new int[] {1, 2, 2, 0})),
            tf.constant(new int[] {0, 0, 0, 3}));
    return tf.nn.conv2dBackpropInput(
        shape, tf.constant(filter), in, List.of(1L, 2L, 2L, 1L), "VALID");
  }

  /** [2, 2, 3, 3]: per-channel 2x2 mean. */
  private static float[][][][] averaging() {
    float[][][][] w = new float[2][2][3][3];
    for (int a = 0; a < 2; a++) {
      for (int b = 0; b < 2; b++) {
        for (int c = 0; c < 3; c++) {
          w[a][b][c][c] = 0.25f;
        }
      }
    }
    return w;
  }

  /**
   * [2, 2, 3, 6]: means of R, G, B, then horizontal, vertical and diagonal Haar details of the
   * luma.
   */
  private static float[][][][] haar() {
    return haarFilter(0.25f, 0.25f / 3);
  }

  /**
   * [2, 2, 3 out, 6 in] transposed-conv filter that inverts {@link #haar()} (luma detail added to
   * every channel).
   */
  private static float[][][][] inverseHaar() {
    return haarFilter(1f, 1f);
  }

  /**
   * The Haar filter pair's shape: each channel to itself with weight {@code mean}, and each channel
   * to the three luma details with weight {@code detail} and the detail's signs.
   */
  private static float[][][][] haarFilter(float mean, float detail) {
    float[][][][] w = new float[2][2][3][M];
    for (int a = 0; a < 2; a++) {
      for (int b = 0; b < 2; b++) {
        float sa = a == 0 ? -1 : 1;
        float sb = b == 0 ? -1 : 1;
        for (int c = 0; c < 3; c++) {
          w[a][b][c][c] = mean;
          w[a][b][c][3] = sb * detail;
          w[a][b][c][4] = sa * detail;
          w[a][b][c][5] = sa * sb * detail;
        }
      }
    }
    return w;
  }

  /** [2, 2, 3, 3] transposed-conv filter that copies each value into a 2x2 block. */
  private static float[][][][] replicate() {
    float[][][][] w = new float[2][2][3][3];
    for (int a = 0; a < 2; a++) {
      for (int b = 0; b < 2; b++) {
        for (int c = 0; c < 3; c++) {
          w[a][b][c][c] = 1f;
        }
      }
    }
    return w;
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
