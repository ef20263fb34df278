package io.latentstream.trainer.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentstream.trainer.graph.EntropyBottleneck;
import io.latentstream.trainer.graph.ParameterValues;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tabulates the trained entropy bottleneck as the integer CDFs of {@code entropy.json}
 * (docs/model-package.md): per channel, the mass of each unit bin around the median between the
 * learned tail quantiles, plus an escape symbol holding the mass outside, quantized so that every
 * frequency is at least 1 and they sum to 2^precision. The density network is evaluated here in
 * double precision with the same formula as the training graph. Immutable; thread-safe.
 */
public final class EntropyTables {

  /** Precision of the tables in bits. */
  public static final int PRECISION = 16;

  /** Bound on the symbols each side of the median, so that a table always fits the precision. */
  public static final int MAX_HALF_WIDTH = 1 << 13;

  /** One channel's table. */
  public record Channel(float median, int minSymbol, int[] cdf) {
    /** Number of regular symbols (the escape symbol excluded). */
    public int symbols() {
      return cdf.length - 2;
    }
  }

  private final List<Channel> channels;

  private EntropyTables(List<Channel> channels) {
    this.channels = List.copyOf(channels);
  }

  /** The tables per latent channel. */
  public List<Channel> channels() {
    return channels;
  }

  /**
   * Builds the tables of the {@code channels}-channel bottleneck whose parameters are in {@code
   * values}.
   */
  public static EntropyTables build(ParameterValues values, int channels) {
    Density density = new Density(values, channels);
    float[] q = values.get("eb_quantiles").values();
    List<Channel> out = new ArrayList<>();
    for (int c = 0; c < channels; c++) {
      float median = q[3 * c + 1];
      int below = clampHalf(Math.ceil(median - q[3 * c]));
      int above = clampHalf(Math.ceil(q[3 * c + 2] - median));
      int n = below + above + 1;
      double[] pmf = new double[n + 1];
      for (int k = 0; k < n; k++) {
        double v = median + (k - below);
        pmf[k] = density.binMass(c, v - 0.5, v + 0.5);
      }
      double lowTail = sigmoid(density.logit(c, median - below - 0.5));
      double highTail = sigmoid(-density.logit(c, median + above + 0.5));
      pmf[n] = lowTail + highTail;
      out.add(new Channel(median, -below, quantize(pmf)));
    }
    return new EntropyTables(out);
  }

  private static int clampHalf(double d) {
    if (Double.isNaN(d)) {
      return 0;
    }
    return (int) Math.max(0, Math.min(MAX_HALF_WIDTH, d));
  }

  /**
   * Turns probabilities (the last is the escape) into a CDF of {@code pmf.length + 1} entries
   * summing to 2^PRECISION with every frequency ≥ 1: one count each, the rest shared by largest
   * remainder.
   */
  static int[] quantize(double[] pmf) {
    int total = 1 << PRECISION;
    int k = pmf.length;
    if (k > total) {
      throw new IllegalArgumentException(
          "table of " + k + " symbols does not fit " + PRECISION + " bits");
    }
    double sum = 0;
    for (double p : pmf) {
      sum += Double.isFinite(p) && p > 0 ? p : 0;
    }
    int spare = total - k;
    int[] freq = new int[k];
    double[] remainder = new double[k];
    long used = 0;
    for (int i = 0; i < k; i++) {
      boolean valid = Double.isFinite(pmf[i]) && pmf[i] > 0;
      double p = sum > 0 ? (valid ? pmf[i] / sum : 0) : 1.0 / k;
      double share = p * spare;
      int whole = (int) Math.floor(share);
      freq[i] = 1 + whole;
      remainder[i] = share - whole;
      used += freq[i];
    }
    int left = (int) (total - used);
    Integer[] order = new Integer[k];
    for (int i = 0; i < k; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(remainder[b], remainder[a]));
    for (int i = 0; i < left; i++) {
      freq[order[i % k]]++;
    }
    int[] cdf = new int[k + 1];
    for (int i = 0; i < k; i++) {
      cdf[i + 1] = cdf[i] + freq[i];
    }
    if (cdf[k] != total) {
      throw new IllegalStateException("CDF sums to " + cdf[k]);
    }
    return cdf;
  }

  /** The {@code entropy.json} document. */
  public ObjectNode toJson(ObjectMapper json) {
    ObjectNode root = json.createObjectNode();
    root.put("precision", PRECISION);
    ArrayNode arr = root.putArray("channels");
    for (Channel ch : channels) {
      ObjectNode o = arr.addObject();
      o.put("median", ch.median());
      o.put("minSymbol", ch.minSymbol());
      ArrayNode cdf = o.putArray("cdf");
      for (int v : ch.cdf()) {
        cdf.add(v);
      }
    }
    return root;
  }

  /**
   * Ideal code length in bits of symbol {@code q} in channel {@code c} (escapes count the escape
   * only).
   */
  public double bits(int c, int q) {
    Channel ch = channels.get(c);
    int i = q - ch.minSymbol();
    if (i < 0 || i >= ch.symbols()) {
      i = ch.symbols();
    }
    int f = ch.cdf()[i + 1] - ch.cdf()[i];
    return PRECISION - Math.log(f) / Math.log(2);
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** The learned cumulative density per channel, in double precision. */
  static final class Density {
    private final int[] filters = EntropyBottleneck.FILTERS;
    private final float[][] matrices;
    private final float[][] biases;
    private final float[][] factors;

    Density(ParameterValues values, int channels) {
      int layers = filters.length - 1;
      matrices = new float[layers][];
      biases = new float[layers][];
      factors = new float[layers][];
      for (int i = 0; i < layers; i++) {
        matrices[i] = values.get("eb_matrix" + i).values();
        biases[i] = values.get("eb_bias" + i).values();
        if (i < layers - 1) {
          factors[i] = values.get("eb_factor" + i).values();
        }
      }
      if (biases[0].length != channels * filters[1]) {
        throw new IllegalArgumentException(
            "entropy bottleneck has "
                + biases[0].length / filters[1]
                + " channels, expected "
                + channels);
      }
    }

    double logit(int c, double v) {
      double[] h = {v};
      for (int i = 0; i < filters.length - 1; i++) {
        int fin = filters[i];
        int fout = filters[i + 1];
        double[] next = new double[fout];
        for (int o = 0; o < fout; o++) {
          double s = biases[i][c * fout + o];
          for (int j = 0; j < fin; j++) {
            s += softplus(matrices[i][(c * fout + o) * fin + j]) * h[j];
          }
          if (factors[i] != null) {
            s += Math.tanh(factors[i][c * fout + o]) * Math.tanh(s);
          }
          next[o] = s;
        }
        h = next;
      }
      return h[0];
    }

    double binMass(int c, double lo, double hi) {
      double l = logit(c, lo);
      double u = logit(c, hi);
      double sign = -Math.signum(l + u);
      if (sign == 0) {
        sign = -1;
      }
      return Math.abs(sigmoid(sign * u) - sigmoid(sign * l));
    }

    private static double softplus(double x) {
      return x > 30 ? x : Math.log1p(Math.exp(x));
    }
  }
}
