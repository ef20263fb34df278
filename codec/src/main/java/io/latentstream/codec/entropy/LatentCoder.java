package io.latentstream.codec.entropy;

import io.latentstream.codec.CorruptBitstreamException;
import java.util.List;

/**
 * Context-adaptive coding of quantized latents with {@link BinaryEncoder}: the payload of bitstream
 * v2 (docs/bitstream.md).
 *
 * <p><b>Binarisation.</b> Every value v (a latent symbol q of a KEY frame, or a DELTA frame's
 * change d = q - ref) is coded as a zero flag, then for v != 0 a sign bit and the magnitude |v| in
 * unary up to {@link #UNARY} with one context per step (the first steps by neighbourhood), and the
 * rest |v| - UNARY as an order-0 Exp-Golomb code in bypass bits. Symbols go in raster order,
 * channel fastest: position (row, column), then its M channels.
 *
 * <p><b>KEY contexts</b> (fresh for every frame, initialised from the model's factorized tables so
 * that the first symbols cost what they cost in v1): per channel, the zero flag by the magnitudes
 * of the same channel's causal neighbours (left, above, above-left, above-right: 4 classes) times
 * the activity of the left and above positions (how many of their M channels are non-zero: 4
 * classes); the sign by the left neighbour's sign; the magnitude steps by the neighbourhood class.
 *
 * <p><b>DELTA contexts</b> (carried from frame to frame along a chain, reset at every KEY): first a
 * skip flag per position (all M channels keep the reference), by whether the left and above
 * positions were skipped; then for a coded position per channel the zero flag by the reference's
 * magnitude (0, 1, 2+), the number of changed values at the same channel left and above (0..2) and
 * whether an earlier channel of the position changed; a coded position whose first M-1 channels are
 * unchanged must change in the last one, which is then not coded.
 *
 * <p>Stateless apart from the model-derived initial contexts; thread-safe.
 */
public final class LatentCoder {
  /**
   * Magnitudes 1..UNARY-1 are coded as unary steps with contexts; larger ones continue in
   * Exp-Golomb.
   */
  static final int UNARY = 14;

  private static final int MAX_EG_PREFIX = 40;

  private static final int K_ZERO = 16;
  private static final int K_SIGN = 3;
  private static final int K_MAG = 8;
  private static final int K_CH = K_ZERO + K_SIGN + K_MAG;

  static final int D_SKIP = 3;
  private static final int D_ZERO = 18;
  private static final int D_SIGN = 3;
  private static final int D_MAG = 4;
  private static final int D_CH = D_ZERO + D_SIGN + D_MAG;

  private final int channels;
  private final AdaptiveBits keyInit;

  /**
   * Coder for a model's latents: {@code tables} are its per-channel factorized tables (one per
   * channel).
   */
  public LatentCoder(List<FrequencyTable> tables) {
    this.channels = tables.size();
    this.keyInit = new AdaptiveBits(channels * K_CH);
    for (int c = 0; c < channels; c++) {
      initKey(keyInit, c * K_CH, tables.get(c));
    }
  }

  public int channels() {
    return channels;
  }

  /** The contexts a chain of DELTA frames starts with (after each KEY). */
  public AdaptiveBits newDeltaContexts() {
    AdaptiveBits b = new AdaptiveBits(D_SKIP + channels * D_CH);
    b.init(0, D_SKIP, 0.5);
    for (int c = 0; c < channels; c++) {
      int base = D_SKIP + c * D_CH;
      b.init(base, base + D_ZERO, 0.95);
      b.init(base + D_ZERO, base + D_ZERO + D_SIGN, 0.5);
      b.init(base + D_ZERO + D_SIGN, base + D_CH, 0.7);
    }
    return b;
  }

  /** Whether {@code contexts} has the shape of this coder's DELTA contexts. */
  public boolean fitsDeltaContexts(AdaptiveBits contexts) {
    return contexts.size() == D_SKIP + channels * D_CH;
  }

  private static void initKey(AdaptiveBits b, int base, FrequencyTable t) {
    int n = t.size();
    double[] p = new double[n];
    for (int i = 0; i < n; i++) {
      p[i] = t.probability(i);
    }
    double escape = t.probability(t.escapeIndex());
    double zero = 0;
    double negative = escape / 2;
    double positive = escape / 2;
    // mass of |v| >= k for k = 1..5, the escape mass counted as large
    double[] atLeast = new double[6];
    for (int i = 0; i < n; i++) {
      long v = (long) t.minSymbol() + i;
      if (v == 0) {
        zero += p[i];
        continue;
      }
      if (v < 0) {
        negative += p[i];
      } else {
        positive += p[i];
      }
      long mag = Math.abs(v);
      for (int k = 1; k <= 5 && k <= mag; k++) {
        atLeast[k] += p[i];
      }
    }
    for (int k = 1; k <= 5; k++) {
      atLeast[k] += escape;
    }
    b.init(base, base + K_ZERO, clamp(zero));
    b.init(
        base + K_ZERO,
        base + K_ZERO + K_SIGN,
        clamp(positive / Math.max(1e-9, positive + negative)));
    int mag = base + K_ZERO + K_SIGN;
    double stop1 = 1 - atLeast[2] / Math.max(1e-9, atLeast[1]);
    double stop2 = 1 - atLeast[3] / Math.max(1e-9, atLeast[2]);
    double stop3 = 1 - atLeast[4] / Math.max(1e-9, atLeast[3]);
    double stop4 = 1 - atLeast[5] / Math.max(1e-9, atLeast[4]);
    b.init(mag, mag + 4, clamp(stop1));
    b.init(mag + 4, mag + 6, clamp(stop2));
    b.init(mag + 6, clamp(stop3));
    b.init(mag + 7, clamp(stop4));
  }

  private static double clamp(double p) {
    return Math.max(0.002, Math.min(0.998, Double.isFinite(p) ? p : 0.5));
  }

  // ---------------------------------------------------------------------------------------------------- KEY

  /** Codes a KEY frame's symbols {@code q} (an h x w x M latent, channel fastest). */
  public byte[] encodeKey(int[] q, int h, int w) {
    int m = channels;
    checkShape(q.length, h, w);
    AdaptiveBits b = keyInit.copy();
    BinaryEncoder enc = new BinaryEncoder(q.length / 4);
    int[] nz = new int[h * w];
    for (int r = 0, pos = 0; r < h; r++) {
      for (int x = 0; x < w; x++, pos++) {
        int act = activityClass(nz, pos, r, x, w, m);
        int at = pos * m;
        int count = 0;
        for (int c = 0; c < m; c++) {
          int v = q[at + c];
          int sp = spatialClass(q, at + c, r, x, w, m);
          int base = c * K_CH;
          if (v == 0) {
            enc.encode(b, base + sp * 4 + act, 0);
            continue;
          }
          count++;
          enc.encode(b, base + sp * 4 + act, 1);
          int left = x > 0 ? Integer.signum(q[at + c - m]) + 1 : 1;
          enc.encode(b, base + K_ZERO + left, v > 0 ? 0 : 1);
          encodeMagnitude(enc, b, base + K_ZERO + K_SIGN, sp, Math.abs((long) v), false);
        }
        nz[pos] = count;
      }
    }
    return enc.finish();
  }

  /**
   * Decodes a KEY frame's payload into {@code q} (length h x w x M).
   *
   * @throws CorruptBitstreamException when the payload is truncated, padded or malformed
   */
  public void decodeKey(byte[] buf, int offset, int length, int[] q, int h, int w) {
    int m = channels;
    checkShape(q.length, h, w);
    AdaptiveBits b = keyInit.copy();
    BinaryDecoder dec = new BinaryDecoder(buf, offset, length);
    int[] nz = new int[h * w];
    for (int r = 0, pos = 0; r < h; r++) {
      for (int x = 0; x < w; x++, pos++) {
        int act = activityClass(nz, pos, r, x, w, m);
        int at = pos * m;
        int count = 0;
        for (int c = 0; c < m; c++) {
          int sp = spatialClass(q, at + c, r, x, w, m);
          int base = c * K_CH;
          if (dec.decode(b, base + sp * 4 + act) == 0) {
            q[at + c] = 0;
            continue;
          }
          count++;
          int left = x > 0 ? Integer.signum(q[at + c - m]) + 1 : 1;
          boolean negative = dec.decode(b, base + K_ZERO + left) == 1;
          long mag = decodeMagnitude(dec, b, base + K_ZERO + K_SIGN, sp, false);
          long v = negative ? -mag : mag;
          if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new CorruptBitstreamException("entropy payload: value out of int32 range");
          }
          q[at + c] = (int) v;
        }
        nz[pos] = count;
      }
    }
    dec.finish();
  }

  private static int activityClass(int[] nz, int pos, int r, int x, int w, int m) {
    int a = (x > 0 ? nz[pos - 1] : 0) + (r > 0 ? nz[pos - w] : 0);
    if (a == 0) {
      return 0;
    }
    return a * 8 <= m ? 1 : a * 2 <= m ? 2 : 3;
  }

  private static int spatialClass(int[] q, int i, int r, int x, int w, int m) {
    int s = 0;
    if (x > 0) {
      s += 2 * mag3(q[i - m]);
    }
    if (r > 0) {
      int above = i - w * m;
      s += 2 * mag3(q[above]);
      if (x > 0) {
        s += mag3(q[above - m]);
      }
      if (x < w - 1) {
        s += mag3(q[above + m]);
      }
    }
    return s == 0 ? 0 : s <= 2 ? 1 : s <= 5 ? 2 : 3;
  }

  private static int mag3(int v) {
    return v == 0 ? 0 : v == 1 || v == -1 ? 1 : v == 2 || v == -2 ? 2 : 3;
  }

  // magnitude |v| >= 1: unary steps "is it larger than k" for k = 1..UNARY-1, then Exp-Golomb of
  // |v| - UNARY
  private static void encodeMagnitude(
      BinaryEncoder enc, AdaptiveBits b, int base, int cls, long mag, boolean delta) {
    for (int k = 1; k < UNARY; k++) {
      int bit = mag > k ? 1 : 0;
      enc.encode(b, base + magContext(k, cls, delta), bit);
      if (bit == 0) {
        return;
      }
    }
    long rem = mag - UNARY + 1; // >= 1
    int n = 63 - Long.numberOfLeadingZeros(rem);
    enc.encodeBypass((1L << n) - 1, n); // n ones
    enc.encodeBypass(0, 1);
    if (n > 32) {
      enc.encodeBypass(rem >>> 32, n - 32);
      enc.encodeBypass(rem, 32);
    } else {
      enc.encodeBypass(rem, n);
    }
  }

  private static long decodeMagnitude(
      BinaryDecoder dec, AdaptiveBits b, int base, int cls, boolean delta) {
    for (int k = 1; k < UNARY; k++) {
      if (dec.decode(b, base + magContext(k, cls, delta)) == 0) {
        return k;
      }
    }
    int n = 0;
    while (dec.decodeBypass(1) == 1) {
      if (++n > MAX_EG_PREFIX) {
        throw new CorruptBitstreamException("entropy payload: Exp-Golomb prefix too long");
      }
    }
    long low =
        n > 32 ? (dec.decodeBypass(n - 32) << 32) | dec.decodeBypass(32) : dec.decodeBypass(n);
    long rem = (1L << n) | low;
    return rem + UNARY - 1;
  }

  private static int magContext(int k, int cls, boolean delta) {
    if (delta) {
      return k == 1 ? cls : k == 2 ? 2 : 3;
    }
    return k == 1 ? cls : k == 2 ? 4 + (cls >= 2 ? 1 : 0) : k == 3 ? 6 : 7;
  }

  // -------------------------------------------------------------------------------------------------- DELTA

  /**
   * Codes a DELTA frame: the symbols {@code q} against the reference {@code ref} (both h x w x M),
   * adapting {@code contexts} (the chain's, see {@link #newDeltaContexts}).
   */
  public byte[] encodeDelta(int[] q, int[] ref, int h, int w, AdaptiveBits contexts) {
    int m = channels;
    checkShape(q.length, h, w);
    checkShape(ref.length, h, w);
    checkContexts(contexts);
    AdaptiveBits b = contexts;
    BinaryEncoder enc = new BinaryEncoder(256);
    boolean[] skipped = new boolean[h * w];
    for (int r = 0, pos = 0; r < h; r++) {
      for (int x = 0; x < w; x++, pos++) {
        int at = pos * m;
        boolean skip = true;
        for (int c = 0; c < m; c++) {
          if (q[at + c] != ref[at + c]) {
            skip = false;
            break;
          }
        }
        skipped[pos] = skip;
        enc.encode(b, skipContext(skipped, pos, r, x, w), skip ? 1 : 0);
        if (skip) {
          continue;
        }
        boolean any = false;
        for (int c = 0; c < m; c++) {
          long d = (long) q[at + c] - ref[at + c];
          int base = D_SKIP + c * D_CH;
          int na = changed(q, ref, at + c, r, x, w, m, skipped, pos);
          if (c < m - 1 || any) {
            int ctx = base + (refClass(ref[at + c]) * 3 + na) * 2 + (any ? 1 : 0);
            enc.encode(b, ctx, d == 0 ? 0 : 1);
          }
          if (d == 0) {
            continue;
          }
          any = true;
          enc.encode(b, base + D_ZERO + Integer.signum(ref[at + c]) + 1, d > 0 ? 0 : 1);
          encodeMagnitude(enc, b, base + D_ZERO + D_SIGN, na > 0 ? 1 : 0, Math.abs(d), true);
        }
      }
    }
    return enc.finish();
  }

  /**
   * Decodes a DELTA frame's payload against {@code ref} into {@code q}, adapting {@code contexts}
   * as the encoder did.
   *
   * @throws CorruptBitstreamException when the payload is truncated, padded or malformed
   */
  public void decodeDelta(
      byte[] buf, int offset, int length, int[] ref, int[] q, int h, int w, AdaptiveBits contexts) {
    int m = channels;
    checkShape(q.length, h, w);
    checkShape(ref.length, h, w);
    checkContexts(contexts);
    AdaptiveBits b = contexts;
    BinaryDecoder dec = new BinaryDecoder(buf, offset, length);
    boolean[] skipped = new boolean[h * w];
    for (int r = 0, pos = 0; r < h; r++) {
      for (int x = 0; x < w; x++, pos++) {
        int at = pos * m;
        boolean skip = dec.decode(b, skipContext(skipped, pos, r, x, w)) == 1;
        skipped[pos] = skip;
        if (skip) {
          System.arraycopy(ref, at, q, at, m);
          continue;
        }
        boolean any = false;
        for (int c = 0; c < m; c++) {
          int base = D_SKIP + c * D_CH;
          int na = changed(q, ref, at + c, r, x, w, m, skipped, pos);
          boolean nonzero;
          if (c < m - 1 || any) {
            int ctx = base + (refClass(ref[at + c]) * 3 + na) * 2 + (any ? 1 : 0);
            nonzero = dec.decode(b, ctx) == 1;
          } else {
            nonzero = true;
          }
          if (!nonzero) {
            q[at + c] = ref[at + c];
            continue;
          }
          any = true;
          boolean negative = dec.decode(b, base + D_ZERO + Integer.signum(ref[at + c]) + 1) == 1;
          long mag = decodeMagnitude(dec, b, base + D_ZERO + D_SIGN, na > 0 ? 1 : 0, true);
          long v = ref[at + c] + (negative ? -mag : mag);
          if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new CorruptBitstreamException("entropy payload: value out of int32 range");
          }
          q[at + c] = (int) v;
        }
      }
    }
    dec.finish();
  }

  private static int skipContext(boolean[] skipped, int pos, int r, int x, int w) {
    return (x > 0 && !skipped[pos - 1] ? 1 : 0) + (r > 0 && !skipped[pos - w] ? 1 : 0);
  }

  private static int refClass(int v) {
    return v == 0 ? 0 : v == 1 || v == -1 ? 1 : 2;
  }

  // how many of the same channel's left and above values changed (0..2); skipped positions did not
  // change
  private static int changed(
      int[] q, int[] ref, int i, int r, int x, int w, int m, boolean[] skipped, int pos) {
    int n = 0;
    if (x > 0 && !skipped[pos - 1] && q[i - m] != ref[i - m]) {
      n++;
    }
    if (r > 0 && !skipped[pos - w] && q[i - w * m] != ref[i - w * m]) {
      n++;
    }
    return n;
  }

  private void checkShape(int length, int h, int w) {
    if ((long) h * w * channels != length) {
      throw new IllegalArgumentException(
          "latent of " + length + " values is not " + h + "x" + w + "x" + channels);
    }
  }

  private void checkContexts(AdaptiveBits contexts) {
    if (!fitsDeltaContexts(contexts)) {
      throw new IllegalArgumentException(
          "DELTA contexts of " + contexts.size() + " entries do not fit M=" + channels);
    }
  }
}
