package io.latentstream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.DecodeLimits;
import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.bitstream.TestBitstreams;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.schemas.DecodeStatus;
import io.latentstream.streams.TestFrames;
import io.latentstream.streams.model.ActiveModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link LatentFrameDecoder}'s pixel limit: a frame claiming more than {@code frame.max.pixels} is
 * not decoded.
 */
class LatentFrameDecoderTest {
  private static ActiveModels models;

  @BeforeAll
  static void start() {
    models = new ActiveModels(FixtureModels.modelsDir(), "default-q2", 2);
    models.loadNewestLocal();
  }

  @AfterAll
  static void stop() {
    models.close();
  }

  @Test
  void shouldFailAKeyFrameThatClaimsMorePixelsThanTheLimitAndDecodeOnesWithin() {
    EncodedImage good = models.compress(TestFrames.image(1, 1));
    EncodedImage bomb =
        new EncodedImage(
            TestBitstreams.claimingSize(good.bitstream(), 2048, 2048, 0),
            good.modelVersion(),
            2048,
            2048);
    LatentFrameDecoder decoder = new LatentFrameDecoder(models, new DecodeLimits(100_000));

    LatentFrameDecoder.Result refused = decoder.decode(DecodeTopologyTest.frame("cam-1", 0, bomb));
    assertThat(refused).isInstanceOf(LatentFrameDecoder.Failed.class);
    assertThat(((LatentFrameDecoder.Failed) refused).status()).isEqualTo(DecodeStatus.FAILED);
    assertThat(((LatentFrameDecoder.Failed) refused).error()).contains("2048x2048", "100000");

    LatentFrameDecoder.Result decoded = decoder.decode(DecodeTopologyTest.frame("cam-1", 1, good));
    assertThat(decoded).isInstanceOf(LatentFrameDecoder.Decoded.class);
  }
}
