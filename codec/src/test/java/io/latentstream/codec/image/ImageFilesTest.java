package io.latentstream.codec.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.codec.InvalidImageException;
import io.latentstream.codec.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {
  @TempDir Path dir;

  @Test
  void shouldRoundTripPngLosslesslyInBothPixelFormats() throws Exception {
    for (PixelFormat format : PixelFormat.values()) {
      PixelImage img = TestImages.synthetic(13, 7, format, 3);
      Path png = dir.resolve(format + ".png");
      ImageFiles.writePng(img, png);
      PixelImage back = ImageFiles.read(png);
      assertThat(back.format()).isEqualTo(format);
      assertThat(back.container()).isEqualTo(ContainerFormat.PNG);
      assertThat(back.pixels()).isEqualTo(img.pixels());
    }
  }

  @Test
  void shouldReadRawWhenSizeMatchesAndRejectWhenItDoesNot() throws Exception {
    PixelImage img = TestImages.synthetic(5, 4, PixelFormat.RGB24, 1);
    Path raw = dir.resolve("x.rgb");
    ImageFiles.writeRaw(img, raw);
    assertThat(ImageFiles.readRaw(raw, 5, 4, PixelFormat.RGB24).pixels()).isEqualTo(img.pixels());
    assertThatThrownBy(() -> ImageFiles.readRaw(raw, 5, 5, PixelFormat.RGB24))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("needs");
    assertThatThrownBy(() -> ImageFiles.readRaw(raw, 100_000, 1, PixelFormat.GRAY8))
        .isInstanceOf(InvalidImageException.class);
  }

  @Test
  void shouldRejectBytesThatAreNoImage() throws Exception {
    Path junk = dir.resolve("junk.png");
    Files.write(junk, new byte[] {1, 2, 3, 4, 5});
    assertThatThrownBy(() -> ImageFiles.read(junk)).isInstanceOf(InvalidImageException.class);
  }

  @Test
  void shouldReadJpegPhotosAsRgb() {
    PixelImage photo = TestImages.photo("mpl_grace_hopper.jpg", 64);
    assertThat(photo.format()).isEqualTo(PixelFormat.RGB24);
    assertThat(photo.width()).isEqualTo(64);
  }
}
