package io.latentstream.codec.entropy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.codec.CorruptBitstreamException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BinaryCoderTest {
  @Test
  void shouldRoundTripSkewedContextBitsAndBypassBitsConsumingExactlyThePayload() {
    SplittableRandom rnd = new SplittableRandom(7);
    int n = 200_000;
    int[] ctx = new int[n];
    int[] bit = new int[n];
    long[] raw = new long[n];
    for (int i = 0; i < n; i++) {
      ctx[i] = rnd.nextInt(8);
      // context c emits 1 with probability c/8 (context 0: never), so the coder has to adapt
      bit[i] = rnd.nextInt(8) < ctx[i] ? 1 : 0;
      raw[i] = rnd.nextLong() & 0xffffffffL;
    }
    AdaptiveBits model = new AdaptiveBits(8);
    BinaryEncoder enc = new BinaryEncoder(16);
    for (int i = 0; i < n; i++) {
      enc.encode(model, ctx[i], bit[i]);
      if (i % 100 == 0) {
        enc.encodeBypass(raw[i], 32);
      }
    }
    byte[] bytes = enc.finish();
    AdaptiveBits back = new AdaptiveBits(8);
    BinaryDecoder dec = new BinaryDecoder(bytes, 0, bytes.length);
    for (int i = 0; i < n; i++) {
      assertThat(dec.decode(back, ctx[i])).as("bit %d", i).isEqualTo(bit[i]);
      if (i % 100 == 0) {
        assertThat(dec.decodeBypass(32)).isEqualTo(raw[i]);
      }
    }
    dec.finish();
    assertThat(back).isEqualTo(model);
    // the adaptive model must compress: entropy of this source is ~0.67 bits per coded bit, bypass
    // 32 bits each
    double bitsPerSymbol = (bytes.length * 8.0 - n / 100 * 32) / n;
    assertThat(bitsPerSymbol).isLessThan(0.72);
  }

  @Test
  void shouldRejectTruncatedAndPaddedPayloads() {
    AdaptiveBits model = new AdaptiveBits(2);
    BinaryEncoder enc = new BinaryEncoder(16);
    SplittableRandom rnd = new SplittableRandom(3);
    for (int i = 0; i < 5000; i++) {
      enc.encode(model, i & 1, rnd.nextInt(2));
    }
    byte[] bytes = enc.finish();
    for (int cut = 1; cut <= 12; cut++) {
      byte[] shorter = Arrays.copyOf(bytes, bytes.length - cut);
      assertThatThrownBy(() -> decodeAll(shorter, 5000))
          .isInstanceOf(CorruptBitstreamException.class);
    }
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> decodeAll(longer, 5000))
        .isInstanceOf(CorruptBitstreamException.class)
        .hasMessageContaining("length");
  }

  private static void decodeAll(byte[] bytes, int n) {
    AdaptiveBits model = new AdaptiveBits(2);
    BinaryDecoder dec = new BinaryDecoder(bytes, 0, bytes.length);
    for (int i = 0; i < n; i++) {
      dec.decode(model, i & 1);
    }
    dec.finish();
  }

  @Test
  void shouldRestoreContextsAndRefuseInvalidStates() {
    AdaptiveBits a = new AdaptiveBits(3);
    a.init(1, 0.9);
    assertThat(AdaptiveBits.restore(a.states())).isEqualTo(a);
    assertThatThrownBy(() -> AdaptiveBits.restore(new int[] {0xffffffff}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
