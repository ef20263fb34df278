package io.latentstream.codec.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.codec.InvalidImageException;
import io.latentstream.codec.TestImages;
import org.junit.jupiter.api.Test;

class PaddedTensorTest {

  @Test
  void shouldReplicateEdgesAndCropBackExactlyWhenSizeIsOdd() {
    PixelImage img = TestImages.synthetic(17, 5, PixelFormat.RGB24, 1);
    PaddedTensor t = PaddedTensor.of(img, 16);
    assertThat(t.width()).isEqualTo(32);
    assertThat(t.height()).isEqualTo(16);
    // last column replicated to the right, last row replicated down
    assertThat(t.data()[(0 * 32 + 31) * 3]).isEqualTo(t.data()[(0 * 32 + 16) * 3]);
    assertThat(t.data()[(15 * 32 + 3) * 3 + 2]).isEqualTo(t.data()[(4 * 32 + 3) * 3 + 2]);
    assertThat(t.toImage(17, 5, PixelFormat.RGB24, ContainerFormat.RAW).pixels())
        .isEqualTo(img.pixels());
  }

  @Test
  void shouldHoldEveryPixelOver255WithEdgesRepeatedWhenImageIsRgb() {
    PixelImage img = TestImages.synthetic(19, 7, PixelFormat.RGB24, 3);
    PaddedTensor t = PaddedTensor.of(img, 16);
    for (int i = 0; i < t.height(); i++) {
      for (int j = 0; j < t.width(); j++) {
        for (int c = 0; c < 3; c++) {
          int src = (Math.min(i, 6) * 19 + Math.min(j, 18)) * 3 + c;
          assertThat(t.data()[(i * t.width() + j) * 3 + c])
              .as("(%d, %d, %d)", i, j, c)
              .isEqualTo((img.pixels()[src] & 0xff) / 255f);
        }
      }
    }
  }

  @Test
  void shouldRoundTripGrayWithoutColourWhenFormatIsGray8() {
    PixelImage gray = TestImages.synthetic(9, 9, PixelFormat.GRAY8, 2);
    PaddedTensor t = PaddedTensor.of(gray, 16);
    assertThat(t.data()[0]).isEqualTo(t.data()[1]).isEqualTo(t.data()[2]);
    assertThat(t.toImage(9, 9, PixelFormat.GRAY8, ContainerFormat.RAW).pixels())
        .isEqualTo(gray.pixels());
  }

  @Test
  void shouldRejectAbsurdDimensionsBeforeAllocating() {
    assertThatThrownBy(() -> PixelImage.checkDimensions(100_000, 10))
        .isInstanceOf(InvalidImageException.class);
    assertThatThrownBy(() -> PixelImage.checkDimensions(16384, 16384))
        .isInstanceOf(InvalidImageException.class);
    assertThatThrownBy(() -> PixelImage.checkDimensions(0, 10))
        .isInstanceOf(InvalidImageException.class);
    assertThatThrownBy(() -> new PixelImage(4, 4, PixelFormat.RGB24, new byte[10]))
        .isInstanceOf(InvalidImageException.class);
  }
}
