package io.latentstream.trainer.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentstream.trainer.data.TrainingImages;
import io.latentstream.trainer.export.EntropyTables;
import io.latentstream.trainer.graph.ModelConfig;
import io.latentstream.trainer.graph.TrainingGraph;
import java.nio.file.Path;
import java.util.List;
import org.tensorflow.ndarray.Shape;

/**
 * Rate-distortion of a trained model on held-out photos, as the codec would see it: pad to a
 * multiple of 16 (edge replication), analysis, {@code round(y - median)}, synthesis of {@code q +
 * median}, crop, 8-bit output. The rate is the ideal code length under the 16-bit tables (escaped
 * values counted as escape plus 32 bits), which a rANS coder matches to within a fraction of a
 * percent. Grayscale photos are scored on one channel (mean of R, G, B). Stateless; thread-safe if
 * the graph is not used concurrently.
 */
public final class HeldoutEvaluator {

  /** Averages over the images. */
  public record Result(int images, double bpp, double psnr) {
    /** The manifest's {@code metrics} object. */
    public ObjectNode toJson(ObjectMapper json) {
      ObjectNode m = json.createObjectNode();
      m.put("dataset", "heldout-photos");
      m.put("images", images);
      m.put("bpp", Math.round(bpp * 10000) / 10000.0);
      m.put("psnr", Math.round(psnr * 100) / 100.0);
      m.put("rate", "ideal code length under the 16-bit tables");
      return m;
    }
  }

  /** Evaluates the model in {@code graph} with {@code tables} on every photo in {@code folder}. */
  public Result evaluate(TrainingGraph graph, EntropyTables tables, Path folder) {
    TrainingImages images = TrainingImages.load(List.of(folder), 0, 1, 1);
    double bpp = 0;
    double psnr = 0;
    for (TrainingImages.Image im : images.images()) {
      double[] r = evaluate(graph, tables, im);
      bpp += r[0];
      psnr += r[1];
    }
    int n = images.images().size();
    return new Result(n, bpp / n, psnr / n);
  }

  private static double[] evaluate(
      TrainingGraph graph, EntropyTables tables, TrainingImages.Image im) {
    int s = ModelConfig.STRIDE;
    int w = im.width();
    int h = im.height();
    int pw = (w + s - 1) / s * s;
    int ph = (h + s - 1) / s * s;
    float[] x = new float[pw * ph * 3];
    boolean gray = true;
    for (int yy = 0; yy < ph; yy++) {
      for (int xx = 0; xx < pw; xx++) {
        int src = (Math.min(yy, h - 1) * w + Math.min(xx, w - 1)) * 3;
        int dst = (yy * pw + xx) * 3;
        for (int c = 0; c < 3; c++) {
          x[dst + c] = (im.rgb()[src + c] & 0xff) / 255f;
        }
        gray &= im.rgb()[src] == im.rgb()[src + 1] && im.rgb()[src] == im.rgb()[src + 2];
      }
    }
    int m = graph.config().m();
    float[] y = graph.analyze(x, Shape.of(1, ph, pw, 3));
    double bits = 0;
    float[] yHat = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      int c = i % m;
      EntropyTables.Channel ch = tables.channels().get(c);
      float v = y[i] - ch.median();
      int q = v >= 0 ? Math.round(v) : -Math.round(-v);
      int idx = q - ch.minSymbol();
      bits += tables.bits(c, q) + (idx < 0 || idx >= ch.symbols() ? 32 : 0);
      yHat[i] = q + ch.median();
    }
    float[] xHat = graph.synthesize(yHat, Shape.of(1, ph / s, pw / s, m));
    double se = 0;
    for (int yy = 0; yy < h; yy++) {
      for (int xx = 0; xx < w; xx++) {
        int src = (yy * w + xx) * 3;
        int dec = (yy * pw + xx) * 3;
        if (gray) {
          double mean = (to8(xHat[dec]) + to8(xHat[dec + 1]) + to8(xHat[dec + 2])) / 3.0;
          double d = Math.round(mean) - (im.rgb()[src] & 0xff);
          se += 3 * d * d;
        } else {
          for (int c = 0; c < 3; c++) {
            double d = to8(xHat[dec + c]) - (im.rgb()[src + c] & 0xff);
            se += d * d;
          }
        }
      }
    }
    double mse = se / (3.0 * w * h);
    double psnr = mse == 0 ? 99 : 10 * Math.log10(255.0 * 255.0 / mse);
    return new double[] {bits / ((double) w * h), psnr};
  }

  private static int to8(float v) {
    return Math.round(Math.min(1f, Math.max(0f, v)) * 255f);
  }
}
