package io.latentstream.codec.entropy;

import io.latentstream.codec.CorruptBitstreamException;

/**
 * Decoder of {@link BinaryEncoder}'s bytes. Reading past the end of the payload is corruption: a
 * few missing bytes are read as zeros so that the last symbols can still be resolved, and {@link
 * #finish} then insists that exactly the whole payload was consumed; far past the end it throws at
 * once, so no input can make it loop long. Not thread-safe.
 */
public final class BinaryDecoder {
  private static final int TOP = 1 << 24;
  private static final int MAX_OVERRUN = 8;

  private final byte[] buf;
  private final int end;
  private int pos;
  private int range = -1;
  private int code;

  public BinaryDecoder(byte[] buf, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new IllegalArgumentException("range outside buffer");
    }
    if (length < 4) {
      throw new CorruptBitstreamException("entropy payload too short: " + length + " bytes");
    }
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
    for (int i = 0; i < 4; i++) {
      code = (code << 8) | next();
    }
  }

  private int next() {
    if (pos < end) {
      return buf[pos++] & 0xff;
    }
    if (++pos - end > MAX_OVERRUN) {
      throw new CorruptBitstreamException("entropy payload truncated");
    }
    return 0;
  }

  /** Decodes one bit in context {@code ctx} and adapts the context exactly as the encoder did. */
  public int decode(AdaptiveBits bits, int ctx) {
    int bound = (range >>> AdaptiveBits.BITS) * bits.p0(ctx);
    int bit;
    if (Integer.compareUnsigned(code, bound) < 0) {
      range = bound;
      bit = 0;
    } else {
      code -= bound;
      range -= bound;
      bit = 1;
    }
    bits.update(ctx, bit);
    while (Integer.compareUnsigned(range, TOP) < 0) {
      range <<= 8;
      code = (code << 8) | next();
    }
    return bit;
  }

  /** Decodes {@code count} bypass bits (0..32), most significant first. */
  public long decodeBypass(int count) {
    long v = 0;
    for (int i = 0; i < count; i++) {
      range >>>= 1;
      int bit = 0;
      if (Integer.compareUnsigned(code, range) >= 0) {
        code -= range;
        bit = 1;
      }
      v = (v << 1) | bit;
      while (Integer.compareUnsigned(range, TOP) < 0) {
        range <<= 8;
        code = (code << 8) | next();
      }
    }
    return v;
  }

  /**
   * Checks that the payload was consumed exactly.
   *
   * @throws CorruptBitstreamException when bytes are left over or missing
   */
  public void finish() {
    if (pos != end) {
      throw new CorruptBitstreamException(
          "entropy payload: length mismatch (" + (end - pos) + " bytes left)");
    }
  }
}
