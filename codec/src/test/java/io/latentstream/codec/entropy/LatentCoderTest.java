package io.latentstream.codec.entropy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.codec.CorruptBitstreamException;
import io.latentstream.codec.model.FixtureModels;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatentCoderTest {
  private static final int H = 7;
  private static final int W = 9;
  private final EntropyModel entropy = FixtureModels.entropyModel(16f);
  private final LatentCoder coder = entropy.latentCoder();
  private final int m = coder.channels();

  private int[] latent(long seed, double scale) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] q = new int[H * W * m];
    for (int i = 0; i < q.length; i++) {
      q[i] = (int) Math.round(rnd.nextGaussian() * scale * (1 + i % m));
    }
    return q;
  }

  @Test
  void shouldRoundTripKeyFramesIncludingExtremeValues() {
    for (double scale : new double[] {0, 0.3, 2, 40}) {
      int[] q = latent(11, scale);
      q[5] = Integer.MAX_VALUE;
      q[6] = Integer.MIN_VALUE;
      q[7] = 1 << 20;
      byte[] bytes = coder.encodeKey(q, H, W);
      int[] back = new int[q.length];
      coder.decodeKey(bytes, 0, bytes.length, back, H, W);
      assertThat(back).as("scale %s", scale).isEqualTo(q);
    }
  }

  @Test
  void shouldRoundTripDeltaChainsAndCarryContextsIdentically() {
    int[] ref = latent(1, 2);
    AdaptiveBits encContexts = coder.newDeltaContexts();
    AdaptiveBits decContexts = coder.newDeltaContexts();
    SplittableRandom rnd = new SplittableRandom(5);
    int[] decRef = ref.clone();
    for (int frame = 0; frame < 30; frame++) {
      int[] q = ref.clone();
      for (int k = rnd.nextInt(frame % 5 == 0 ? q.length : 20); k > 0; k--) {
        q[rnd.nextInt(q.length)] += rnd.nextInt(7) - 3;
      }
      if (frame == 7) {
        q[3] = Integer.MAX_VALUE; // changes of 2^31 and more must survive
        q[4] = Integer.MIN_VALUE;
      }
      byte[] bytes = coder.encodeDelta(q, ref, H, W, encContexts);
      int[] back = new int[q.length];
      coder.decodeDelta(bytes, 0, bytes.length, decRef, back, H, W, decContexts);
      assertThat(back).as("frame %d", frame).isEqualTo(q);
      assertThat(decContexts).isEqualTo(encContexts);
      ref = q;
      decRef = back;
    }
  }

  @Test
  void shouldCodeAnUnchangedFrameInAFewBytes() {
    int[] ref = latent(2, 3);
    byte[] bytes = coder.encodeDelta(ref, ref, H, W, coder.newDeltaContexts());
    assertThat(bytes.length).isLessThanOrEqualTo(12);
  }

  @Test
  void shouldRejectTruncatedKeyAndDeltaPayloadsWithTypedErrors() {
    int[] q = latent(3, 2);
    byte[] key = coder.encodeKey(q, H, W);
    int[] changed = q.clone();
    changed[10] += 3;
    byte[] delta = coder.encodeDelta(changed, q, H, W, coder.newDeltaContexts());
    for (int cut = 1; cut < 6; cut++) {
      byte[] k = Arrays.copyOf(key, key.length - cut);
      assertThatThrownBy(() -> coder.decodeKey(k, 0, k.length, new int[q.length], H, W))
          .isInstanceOf(CorruptBitstreamException.class);
      byte[] d = Arrays.copyOf(delta, Math.max(0, delta.length - cut));
      assertThatThrownBy(
              () ->
                  coder.decodeDelta(
                      d, 0, d.length, q, new int[q.length], H, W, coder.newDeltaContexts()))
          .isInstanceOf(CorruptBitstreamException.class);
    }
  }
}
