package io.latentstream.codec.entropy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The learned entropy bottleneck at inference time: per latent channel a quantization median and a
 * frequency table ({@code entropy.json}, docs/model-package.md). Quantization ({@link #quantize})
 * and dequantization live here so that encoder and decoder share one definition. Immutable and
 * thread-safe.
 */
public final class EntropyModel {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int precision;
  private final float[] medians;
  private final List<FrequencyTable> tables;
  private final RansTables ransTables;
  private final LatentCoder latentCoder;

  public EntropyModel(int precision, float[] medians, List<FrequencyTable> tables) {
    if (medians.length != tables.size() || medians.length == 0) {
      throw new IllegalArgumentException("need one median per table and at least one channel");
    }
    for (FrequencyTable t : tables) {
      if (t.precision() != precision) {
        throw new IllegalArgumentException("table precision " + t.precision() + " != " + precision);
      }
    }
    for (float m : medians) {
      if (!Float.isFinite(m)) {
        throw new IllegalArgumentException("median must be finite, was " + m);
      }
    }
    this.precision = precision;
    this.medians = medians.clone();
    this.tables = List.copyOf(tables);
    this.ransTables = RansTables.of(this.tables);
    this.latentCoder = new LatentCoder(this.tables);
  }

  /**
   * Parses {@code entropy.json}.
   *
   * @throws IOException on unreadable JSON
   * @throws IllegalArgumentException naming the first field that breaks the contract
   */
  public static EntropyModel read(InputStream in) throws IOException {
    JsonNode root = JSON.readTree(in);
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("entropy.json: top level must be an object");
    }
    JsonNode p = root.get("precision");
    if (p == null || !p.canConvertToInt()) {
      throw new IllegalArgumentException("entropy.json: missing integer 'precision'");
    }
    int precision = p.intValue();
    JsonNode channels = root.get("channels");
    if (channels == null || !channels.isArray() || channels.isEmpty()) {
      throw new IllegalArgumentException("entropy.json: 'channels' must be a non-empty array");
    }
    float[] medians = new float[channels.size()];
    List<FrequencyTable> tables = new ArrayList<>(channels.size());
    for (int c = 0; c < channels.size(); c++) {
      JsonNode ch = channels.get(c);
      String where = "entropy.json: channels[" + c + "]";
      JsonNode median = ch.get("median");
      JsonNode min = ch.get("minSymbol");
      JsonNode cdf = ch.get("cdf");
      if (median == null || !median.isNumber()) {
        throw new IllegalArgumentException(where + ": missing number 'median'");
      }
      if (min == null || !min.canConvertToInt() || !min.isIntegralNumber()) {
        throw new IllegalArgumentException(where + ": missing integer 'minSymbol'");
      }
      if (cdf == null || !cdf.isArray()) {
        throw new IllegalArgumentException(where + ": missing array 'cdf'");
      }
      int[] values = new int[cdf.size()];
      for (int i = 0; i < values.length; i++) {
        JsonNode v = cdf.get(i);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
          throw new IllegalArgumentException(where + ": cdf[" + i + "] is not an int");
        }
        values[i] = v.intValue();
      }
      medians[c] = median.floatValue();
      try {
        tables.add(FrequencyTable.of(precision, min.intValue(), values));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
    }
    return new EntropyModel(precision, medians, tables);
  }

  /** Writes this model as {@code entropy.json} (used by tests and tools that build packages). */
  public void write(OutputStream out) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("precision", precision);
    ArrayNode channels = root.putArray("channels");
    for (int c = 0; c < medians.length; c++) {
      ObjectNode ch = channels.addObject();
      ch.put("median", medians[c]);
      ch.put("minSymbol", tables.get(c).minSymbol());
      ArrayNode cdf = ch.putArray("cdf");
      for (int v : tables.get(c).cdf()) {
        cdf.add(v);
      }
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(out, root);
  }

  public int precision() {
    return precision;
  }

  public int channels() {
    return medians.length;
  }

  public float median(int channel) {
    return medians[channel];
  }

  public List<FrequencyTable> tables() {
    return tables;
  }

  /** The tables compiled for the rANS coder. */
  public RansTables ransTables() {
    return ransTables;
  }

  /** The context-adaptive coder of bitstream v2, initialised from these tables. */
  public LatentCoder latentCoder() {
    return latentCoder;
  }

  /**
   * The codec's one rounding function: round half away from zero, saturating at the int range; NaN
   * becomes 0. The trainer must use the same definition when it measures rates.
   */
  public static int round(float v) {
    // v ± 0.5 is exact in double (a float has 24 significant bits), and Java's double-to-int
    // conversion truncates
    // toward zero, saturates at the int range and maps NaN to 0: together exactly the definition
    // above, without
    // the branches and Math.floor calls of the obvious version (this runs once per latent value:
    // 150k per VGA frame).
    return (int) (v >= 0 ? (double) v + 0.5 : (double) v - 0.5);
  }

  /** {@code q = round(y - median_c)} over an (h, w, M) latent with channel fastest. */
  public int[] quantize(float[] y) {
    int m = medians.length;
    if (y.length % m != 0) {
      throw new IllegalArgumentException(
          "latent length " + y.length + " is not a multiple of M=" + m);
    }
    int[] q = new int[y.length];
    for (int p = 0; p < y.length; p += m) { // no i % m per value: an integer division each
      for (int c = 0; c < m; c++) {
        q[p + c] = round(y[p + c] - medians[c]);
      }
    }
    return q;
  }

  /** {@code yHat = q + median_c}. */
  public float[] dequantize(int[] q) {
    int m = medians.length;
    if (q.length % m != 0) {
      throw new IllegalArgumentException(
          "latent length " + q.length + " is not a multiple of M=" + m);
    }
    float[] yHat = new float[q.length];
    for (int p = 0; p < q.length; p += m) {
      for (int c = 0; c < m; c++) {
        yHat[p + c] = q[p + c] + medians[c];
      }
    }
    return yHat;
  }
}
