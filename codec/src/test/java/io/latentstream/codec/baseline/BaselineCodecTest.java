package io.latentstream.codec.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.TestImages;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.QualityMetrics;
import java.io.IOException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class BaselineCodecTest {

  private static void assertSweepTradesRateForQuality(BaselineCodec codec, PixelImage image)
      throws IOException {
    BaselineCodec.Result low = codec.roundTrip(image, 10);
    BaselineCodec.Result high = codec.roundTrip(image, 90);
    assertThat(low.decoded().format()).isEqualTo(image.format());
    assertThat(low.decoded().width()).isEqualTo(image.width());
    assertThat(high.bytes()).isGreaterThan(low.bytes());
    assertThat(QualityMetrics.psnr(image, high.decoded()))
        .isGreaterThan(QualityMetrics.psnr(image, low.decoded()));
  }

  @Test
  void shouldTradeRateForQualityWhenJpegQualityRises() throws IOException {
    JpegBaseline jpeg = new JpegBaseline();
    assertSweepTradesRateForQuality(jpeg, TestImages.synthetic(64, 48, PixelFormat.RGB24, 1));
    assertSweepTradesRateForQuality(jpeg, TestImages.synthetic(33, 17, PixelFormat.GRAY8, 2));
  }

  @Test
  void shouldTradeRateForQualityWhenWebpIsInstalled() throws IOException {
    var webp = WebpBaseline.find();
    Assumptions.assumeTrue(webp.isPresent(), "cwebp/dwebp not on PATH");
    assertSweepTradesRateForQuality(webp.get(), TestImages.synthetic(64, 48, PixelFormat.RGB24, 1));
    assertSweepTradesRateForQuality(webp.get(), TestImages.synthetic(33, 17, PixelFormat.GRAY8, 2));
  }
}
