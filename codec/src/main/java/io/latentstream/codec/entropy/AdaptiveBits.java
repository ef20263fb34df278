package io.latentstream.codec.entropy;

import java.util.Arrays;

/**
 * A set of adaptive binary probability models ("contexts") for {@link BinaryEncoder} and {@link
 * BinaryDecoder}.
 *
 * <p>Each context holds two estimates of the probability that the next bit is 0, 15-bit integers,
 * packed in one int: a fast one (window about 16 bits, shift 4) in the high half and a slow one
 * (window about 128 bits, shift 7) in the low half. The coder uses their mean; both move toward
 * every coded bit. Two windows adapt quickly at the start and still settle on a precise estimate
 * (the scheme of modern video coders' CABAC). Integer arithmetic only, so encoder and decoder agree
 * bit for bit on every JVM.
 *
 * <p>Not thread-safe: one instance per coding stream. {@link #copy} and {@link #states} let a
 * sequence carry its contexts from frame to frame and serialise them.
 */
public final class AdaptiveBits {
  /** Probabilities are in units of 2^-15. */
  static final int BITS = 15;

  static final int ONE = 1 << BITS;
  private static final int FAST = 4;
  private static final int SLOW = 7;

  /**
   * The coder clamps the mean into [MIN_P, ONE - MIN_P]: no bit ever costs more than about 10 bits.
   */
  static final int MIN_P = 31;

  final int[] state;

  /** {@code count} contexts, each starting at probability one half. */
  public AdaptiveBits(int count) {
    state = new int[count];
    Arrays.fill(state, pack(ONE / 2));
  }

  private AdaptiveBits(int[] state) {
    this.state = state;
  }

  /**
   * Contexts restored from {@link #states()}; every value is checked to be a valid pair of
   * estimates.
   */
  public static AdaptiveBits restore(int[] states) {
    for (int s : states) {
      int fast = s >>> 16;
      int slow = s & 0xffff;
      if (fast >= ONE || slow >= ONE) {
        throw new IllegalArgumentException("invalid context state 0x" + Integer.toHexString(s));
      }
    }
    return new AdaptiveBits(states.clone());
  }

  public int size() {
    return state.length;
  }

  /** Sets context {@code i} to probability {@code p0} (of a 0 bit, in (0, 1)), both estimates. */
  public void init(int i, double p0) {
    int p = (int) Math.round(p0 * ONE);
    state[i] = pack(Math.max(MIN_P, Math.min(ONE - MIN_P, p)));
  }

  /** Sets contexts {@code [from, to)} to {@code p0}. */
  public void init(int from, int to, double p0) {
    for (int i = from; i < to; i++) {
      init(i, p0);
    }
  }

  /** The current probability of a 0 bit in context {@code i}, in units of 2^-15, clamped. */
  int p0(int i) {
    int s = state[i];
    int p = ((s >>> 16) + (s & 0xffff)) >>> 1;
    return p < MIN_P ? MIN_P : Math.min(p, ONE - MIN_P);
  }

  /** Moves context {@code i} toward {@code bit}. */
  void update(int i, int bit) {
    int s = state[i];
    int fast = s >>> 16;
    int slow = s & 0xffff;
    if (bit == 0) {
      fast += (ONE - fast) >> FAST;
      slow += (ONE - slow) >> SLOW;
    } else {
      fast -= fast >> FAST;
      slow -= slow >> SLOW;
    }
    state[i] = (fast << 16) | slow;
  }

  /** An independent copy (same probabilities). */
  public AdaptiveBits copy() {
    return new AdaptiveBits(state.clone());
  }

  /** The packed states, for serialisation ({@link #restore}). */
  public int[] states() {
    return state.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AdaptiveBits other && Arrays.equals(state, other.state);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(state);
  }

  private static int pack(int p) {
    return (p << 16) | p;
  }
}
