package io.latentstream.codec.entropy;

import io.latentstream.codec.CorruptBitstreamException;
import java.util.Arrays;
import java.util.List;

/**
 * Range-asymmetric-numeral-system (rANS) coder for latent symbols.
 *
 * <p>State: 32-bit, kept in {@code [2^23, 2^31)}; byte-wise renormalisation; table precision up to
 * 16 bits. Symbol {@code i} of a stream uses {@code tables.get(i % tables.size())}, i.e. channel
 * fastest as in the raster order of docs/model-package.md. rANS is last-in first-out, so the
 * encoder walks the symbols backwards and the byte stream is reversed at the end; the decoder then
 * reads forwards.
 *
 * <p><b>Escape bypass scheme.</b> A value {@code v} outside {@code [min, max]} of its table is
 * coded as the escape symbol followed by uniformly coded ("raw") bits, in decode order:
 *
 * <ol>
 *   <li>1 bit: side, 0 = below ({@code d = min - 1 - v}), 1 = above ({@code d = v - max - 1});
 *       {@code d >= 0};
 *   <li>6 bits: {@code nb}, the bit length of {@code d} (0..32);
 *   <li>if {@code nb > 1}: the low {@code nb - 1} bits of {@code d} (its top bit is implied), in
 *       16-bit chunks, least significant chunk first.
 * </ol>
 *
 * Every int32 round-trips, and the decoder rejects non-canonical or out-of-range escapes as
 * corruption.
 *
 * <p><b>Integrity.</b> The encoder starts from state {@code 2^23}; the decoder requires that it
 * ends in exactly that state having consumed exactly all bytes, which detects most corruption even
 * without the bitstream's CRC.
 *
 * <p>Stateless and thread-safe.
 */
public final class RansCoder {
  static final int RANS_L = 1 << 23;
  private static final int SIDE_BITS = 1;
  private static final int LENGTH_BITS = 6;
  private static final int CHUNK_BITS = 16;

  private RansCoder() {}

  /** Encodes {@code symbols} with per-channel tables; returns the payload bytes. */
  public static byte[] encode(int[] symbols, List<FrequencyTable> tables) {
    return encode(symbols, 0, symbols.length, RansTables.of(tables));
  }

  /** Encodes {@code symbols} with compiled per-channel tables; returns the payload bytes. */
  public static byte[] encode(int[] symbols, RansTables tables) {
    return encode(symbols, 0, symbols.length, tables);
  }

  /**
   * Encodes {@code count} symbols starting at {@code offset}; symbol {@code offset+i} uses table
   * {@code i % k}.
   */
  public static byte[] encode(int[] symbols, int offset, int count, RansTables t) {
    ByteSink out = new ByteSink(Math.max(16, count / 2));
    int[] cdf = t.cdf;
    int x = RANS_L;
    int channel = count % t.channels;
    for (int i = count - 1; i >= 0; i--) {
      channel = channel == 0 ? t.channels - 1 : channel - 1;
      int v = symbols[offset + i];
      int k = t.precision[channel];
      int min = t.minSymbol[channel];
      int max = t.maxSymbol[channel];
      int base = t.offset[channel];
      if (v >= min && v <= max) {
        int at = base + v - min;
        x = put(x, cdf[at], cdf[at + 1] - cdf[at], k, out);
      } else {
        // Reverse order of the decode order documented above.
        boolean above = v > max;
        long d = above ? (long) v - max - 1 : (long) min - 1 - v;
        int nb = 64 - Long.numberOfLeadingZeros(d);
        if (nb > 1) {
          int bits = nb - 1;
          int chunks = (bits + CHUNK_BITS - 1) / CHUNK_BITS;
          for (int c = chunks - 1; c >= 0; c--) {
            int width = Math.min(CHUNK_BITS, bits - c * CHUNK_BITS);
            int value = (int) ((d >>> (c * CHUNK_BITS)) & ((1L << width) - 1));
            x = put(x, value, 1, width, out);
          }
        }
        x = put(x, nb, 1, LENGTH_BITS, out);
        x = put(x, above ? 1 : 0, 1, SIDE_BITS, out);
        int at = base + t.escape[channel];
        x = put(x, cdf[at], cdf[at + 1] - cdf[at], k, out);
      }
    }
    // Flush the state so that, after reversal, the decoder reads it big-endian.
    out.put(x);
    out.put(x >>> 8);
    out.put(x >>> 16);
    out.put(x >>> 24);
    return out.reversed();
  }

  private static int put(int x, int start, int freq, int scaleBits, ByteSink out) {
    long xMax = ((long) (RANS_L >>> scaleBits) << 8) * freq;
    while (x >= xMax) {
      out.put(x);
      x >>>= 8;
    }
    return ((x / freq) << scaleBits) + (x % freq) + start;
  }

  /** Decodes exactly {@code count} symbols from {@code buf[offset, offset+length)}. */
  public static int[] decode(
      byte[] buf, int offset, int length, int count, List<FrequencyTable> tables) {
    int[] out = new int[count];
    decode(buf, offset, length, out, RansTables.of(tables));
    return out;
  }

  /**
   * Decodes {@code out.length} symbols into {@code out}.
   *
   * @throws CorruptBitstreamException when the bytes run out, an escape is malformed, or the final
   *     state or the byte count disagree with the encoder's
   */
  public static void decode(byte[] buf, int offset, int length, int[] out, RansTables t) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new IllegalArgumentException("range outside buffer");
    }
    if (length < 4) {
      throw new CorruptBitstreamException("entropy payload too short: " + length + " bytes");
    }
    int x =
        ((buf[offset] & 0xff) << 24)
            | ((buf[offset + 1] & 0xff) << 16)
            | ((buf[offset + 2] & 0xff) << 8)
            | (buf[offset + 3] & 0xff);
    int pos = offset + 4;
    int end = offset + length;
    if (x < RANS_L) { // also catches the sign bit: states live in [2^23, 2^31)
      throw new CorruptBitstreamException("entropy payload: invalid initial state");
    }
    int[] cdf = t.cdf;
    char[] bucket = t.bucket;
    int channel = 0;
    for (int i = 0; i < out.length; i++) {
      int k = t.precision[channel];
      int base = t.offset[channel];
      int slot = x & ((1 << k) - 1);
      int index = bucket[(channel << RansTables.BUCKET_BITS) + (slot >>> t.bucketShift[channel])];
      while (cdf[base + index + 1] <= slot) {
        index++;
      }
      int start = cdf[base + index];
      x = (cdf[base + index + 1] - start) * (x >>> k) + slot - start;
      while (x < RANS_L) {
        if (pos >= end) {
          throw new CorruptBitstreamException("entropy payload truncated");
        }
        x = (x << 8) | (buf[pos++] & 0xff);
      }
      if (index != t.escape[channel]) {
        out[i] = t.minSymbol[channel] + index;
      } else {
        // Escape: raw bits, see the class comment.
        int above = x & 1;
        x >>>= 1;
        while (x < RANS_L) {
          if (pos >= end) {
            throw new CorruptBitstreamException("entropy payload truncated");
          }
          x = (x << 8) | (buf[pos++] & 0xff);
        }
        int nb = x & ((1 << LENGTH_BITS) - 1);
        x >>>= LENGTH_BITS;
        while (x < RANS_L) {
          if (pos >= end) {
            throw new CorruptBitstreamException("entropy payload truncated");
          }
          x = (x << 8) | (buf[pos++] & 0xff);
        }
        if (nb > 32) {
          throw new CorruptBitstreamException(
              "entropy payload: escape bit length " + nb + " > 32 at symbol " + i);
        }
        long d = nb == 0 ? 0 : 1L << (nb - 1);
        if (nb > 1) {
          int bits = nb - 1;
          for (int c = 0; c * CHUNK_BITS < bits; c++) {
            int width = Math.min(CHUNK_BITS, bits - c * CHUNK_BITS);
            long value = x & ((1 << width) - 1);
            x >>>= width;
            while (x < RANS_L) {
              if (pos >= end) {
                throw new CorruptBitstreamException("entropy payload truncated");
              }
              x = (x << 8) | (buf[pos++] & 0xff);
            }
            d |= value << (c * CHUNK_BITS);
          }
        }
        long v =
            above == 1 ? (long) t.maxSymbol[channel] + 1 + d : (long) t.minSymbol[channel] - 1 - d;
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
          throw new CorruptBitstreamException(
              "entropy payload: escaped value out of int32 range at symbol " + i);
        }
        out[i] = (int) v;
      }
      if (++channel == t.channels) {
        channel = 0;
      }
    }
    if (x != RANS_L || pos != end) {
      throw new CorruptBitstreamException(
          "entropy payload: final state or length mismatch (" + (end - pos) + " bytes left)");
    }
  }

  /** Ideal code length in bits of a stream under the tables, escapes' bypass bits included. */
  public static double idealBits(int[] symbols, List<FrequencyTable> tables) {
    double bits = 0;
    for (int i = 0; i < symbols.length; i++) {
      FrequencyTable table = tables.get(i % tables.size());
      int v = symbols[i];
      if (v >= table.minSymbol() && v <= table.maxSymbol()) {
        bits -= log2(table.probability(v - table.minSymbol()));
      } else {
        long d =
            v > table.maxSymbol()
                ? (long) v - table.maxSymbol() - 1
                : (long) table.minSymbol() - 1 - v;
        int nb = 64 - Long.numberOfLeadingZeros(d);
        bits +=
            -log2(table.probability(table.escapeIndex()))
                + SIDE_BITS
                + LENGTH_BITS
                + Math.max(0, nb - 1);
      }
    }
    return bits;
  }

  private static double log2(double p) {
    return Math.log(p) / Math.log(2);
  }

  private static final class ByteSink {
    private byte[] data;
    private int size;

    ByteSink(int capacity) {
      data = new byte[capacity];
    }

    void put(int b) {
      if (size == data.length) {
        data = Arrays.copyOf(data, data.length * 2);
      }
      data[size++] = (byte) b;
    }

    byte[] reversed() {
      byte[] r = new byte[size];
      for (int i = 0; i < size; i++) {
        r[i] = data[size - 1 - i];
      }
      return r;
    }
  }
}
