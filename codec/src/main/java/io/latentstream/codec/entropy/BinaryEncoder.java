package io.latentstream.codec.entropy;

import java.util.Arrays;

/**
 * Binary arithmetic (range) encoder with adaptive contexts ({@link AdaptiveBits}) and equiprobable
 * "bypass" bits.
 *
 * <p>32-bit range, renormalised a byte at a time when it drops below 2^24; the low end is kept in a
 * long and a carry is propagated through a pending byte and a run of 0xFF bytes. The first byte
 * such a coder emits is always zero and is not written; {@link BinaryDecoder} starts as if it had
 * read it. The output is exactly as long as the decoder consumes, which the decoder checks. Not
 * thread-safe.
 */
public final class BinaryEncoder {
  private static final int TOP = 1 << 24;

  private long low;
  private int range = -1; // 2^32 - 1, unsigned
  private int cache;
  private long pending = 1;
  private boolean first = true;
  private byte[] out;
  private int size;

  public BinaryEncoder(int capacity) {
    out = new byte[Math.max(16, capacity)];
  }

  /** Codes {@code bit} (0 or 1) in context {@code ctx} of {@code bits} and adapts the context. */
  public void encode(AdaptiveBits bits, int ctx, int bit) {
    int bound = (range >>> AdaptiveBits.BITS) * bits.p0(ctx);
    if (bit == 0) {
      range = bound;
    } else {
      low += bound & 0xffffffffL;
      range -= bound;
    }
    bits.update(ctx, bit);
    while (Integer.compareUnsigned(range, TOP) < 0) {
      range <<= 8;
      shiftLow();
    }
  }

  /**
   * Codes the low {@code count} bits of {@code value} (0..32 bits), most significant first, at
   * probability 1/2.
   */
  public void encodeBypass(long value, int count) {
    for (int i = count - 1; i >= 0; i--) {
      range >>>= 1;
      if (((value >>> i) & 1) != 0) {
        low += range & 0xffffffffL;
      }
      while (Integer.compareUnsigned(range, TOP) < 0) {
        range <<= 8;
        shiftLow();
      }
    }
  }

  private void shiftLow() {
    if (low < 0xff000000L || low > 0xffffffffL) {
      int carry = (int) (low >>> 32);
      int b = cache;
      do {
        put(b + carry);
        b = 0xff;
      } while (--pending != 0);
      cache = (int) ((low >>> 24) & 0xff);
    }
    pending++;
    low = (low & 0x00ffffffL) << 8;
  }

  private void put(int b) {
    if (first) { // always 0: see the class comment
      first = false;
      return;
    }
    if (size == out.length) {
      out = Arrays.copyOf(out, out.length * 2);
    }
    out[size++] = (byte) b;
  }

  /** Flushes the coder and returns the bytes; the encoder cannot be used afterwards. */
  public byte[] finish() {
    for (int i = 0; i < 5; i++) {
      shiftLow();
    }
    return Arrays.copyOf(out, size);
  }
}
