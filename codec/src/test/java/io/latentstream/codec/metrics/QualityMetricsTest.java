package io.latentstream.codec.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.latentstream.codec.TestImages;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class QualityMetricsTest {

  private static PixelImage plus(PixelImage img, int delta) {
    byte[] p = img.pixels().clone();
    for (int i = 0; i < p.length; i++) {
      p[i] = (byte) Math.max(0, Math.min(255, (p[i] & 0xff) + delta));
    }
    return new PixelImage(img.width(), img.height(), img.format(), p);
  }

  @Test
  void shouldMatchClosedFormPsnrWhenErrorIsConstant() {
    byte[] a = new byte[300];
    byte[] b = new byte[300];
    java.util.Arrays.fill(a, (byte) 100);
    java.util.Arrays.fill(b, (byte) 110);
    PixelImage x = new PixelImage(10, 10, PixelFormat.RGB24, a);
    PixelImage y = new PixelImage(10, 10, PixelFormat.RGB24, b);
    assertThat(QualityMetrics.psnr(x, y))
        .isCloseTo(10 * Math.log10(255.0 * 255 / 100), within(1e-9));
    assertThat(QualityMetrics.psnr(x, x)).isEqualTo(QualityMetrics.MAX_PSNR);
  }

  @Test
  void shouldGiveOneForIdenticalAndLessForDistortedWhenComputingMsssim() {
    PixelImage img = TestImages.synthetic(200, 180, PixelFormat.RGB24, 1);
    assertThat(QualityMetrics.msssim(img, img)).isCloseTo(1.0, within(1e-12));
    double mild =
        QualityMetrics.msssim(img, plus(TestImages.synthetic(200, 180, PixelFormat.RGB24, 2), 0));
    double strong = QualityMetrics.msssim(img, plus(img, 60));
    assertThat(mild).isLessThan(1.0).isGreaterThan(0.5);
    assertThat(strong).isLessThan(1.0);
  }

  @Test
  void shouldMatchIndependentReferenceWhenAllFiveScalesFit() {
    // Golden values from an independent numpy implementation of the pytorch_msssim definition
    // (192x176 RGB).
    PixelImage a = TestImages.synthetic(192, 176, PixelFormat.RGB24, 1);
    PixelImage b = TestImages.synthetic(192, 176, PixelFormat.RGB24, 2);
    byte[] p = a.pixels().clone();
    for (int i = 0; i < p.length; i++) {
      p[i] = (byte) Math.min(255, (p[i] & 0xff) + ((i / 3) % 7) * 6);
    }
    PixelImage c = new PixelImage(192, 176, PixelFormat.RGB24, p);
    assertThat(QualityMetrics.msssim(a, b)).isCloseTo(0.9950556113853445, within(1e-9));
    assertThat(QualityMetrics.msssim(a, c)).isCloseTo(0.9684899119757571, within(1e-9));
  }

  @Test
  void shouldHandleTinyImagesWhenComputingMsssim() {
    for (int[] size : new int[][] {{1, 1}, {3, 7}, {12, 12}, {40, 23}}) {
      PixelImage img = TestImages.synthetic(size[0], size[1], PixelFormat.GRAY8, 3);
      assertThat(QualityMetrics.msssim(img, img)).isCloseTo(1.0, within(1e-9));
      assertThat(QualityMetrics.msssim(img, plus(img, 30))).isBetween(0.0, 1.0);
    }
  }

  @Test
  void shouldBeZeroWhenCurvesAreIdenticalAndMinusHalfWhenRateIsHalved() {
    List<BdRate.Point> anchor =
        List.of(
            new BdRate.Point(0.25, 28),
            new BdRate.Point(0.5, 31),
            new BdRate.Point(1.0, 34),
            new BdRate.Point(2.0, 37));
    List<BdRate.Point> half =
        anchor.stream().map(p -> new BdRate.Point(p.bpp() / 2, p.psnr())).toList();
    assertThat(BdRate.percent(anchor, anchor)).isCloseTo(0.0, within(1e-9));
    assertThat(BdRate.percent(anchor, half)).isCloseTo(-50.0, within(1e-6));
    assertThat(BdRate.percent(half, anchor)).isCloseTo(100.0, within(1e-6));
  }

  @Test
  void shouldBeNanWhenPsnrRangesDoNotOverlap() {
    List<BdRate.Point> low = List.of(new BdRate.Point(0.1, 20), new BdRate.Point(0.2, 22));
    List<BdRate.Point> high = List.of(new BdRate.Point(1, 30), new BdRate.Point(2, 33));
    assertThat(BdRate.percent(low, high)).isNaN();
  }

  @Test
  void shouldCountBppFromBytes() {
    assertThat(QualityMetrics.bpp(100, 20, 10)).isEqualTo(4.0);
  }
}
