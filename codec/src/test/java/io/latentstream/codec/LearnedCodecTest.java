package io.latentstream.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.codec.image.ContainerFormat;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.model.ModelCatalog;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LearnedCodecTest {
  private static ModelCatalog catalog;

  @BeforeAll
  static void loadModels() {
    catalog = new ModelCatalog(FixtureModels.modelsDir(), 4);
  }

  @AfterAll
  static void closeModels() {
    catalog.close();
  }

  private static LearnedCodec codec(int quality) {
    return new LearnedCodec(catalog.load("default", quality), catalog);
  }

  @Test
  void shouldRoundTripPhotosWithSameSizeAndFormatWhenEncodedAndDecoded() {
    LearnedCodec codec = codec(3);
    for (String name :
        List.of("skimage_chelsea.png", "mpl_grace_hopper.jpg", "skimage_camera_gray.png")) {
      PixelImage image = TestImages.photo(name, 96);
      EncodedImage encoded = codec.compress(image);
      PixelImage decoded = codec.decompress(encoded.bitstream());
      assertThat(decoded.width()).isEqualTo(image.width());
      assertThat(decoded.height()).isEqualTo(image.height());
      assertThat(decoded.format()).isEqualTo(image.format());
      assertThat(encoded.bpp())
          .isEqualTo(encoded.bitstream().length * 8.0 / (image.width() * image.height()));
      assertThat(QualityMetrics.psnr(image, decoded))
          .as(name)
          .isGreaterThan(
              12); // the fixture codes 16x16 blocks with 6 numbers: a crude but honest bound
    }
  }

  @Test
  void shouldRoundTripOddSizesAndGrayWhenImageIsNotAMultipleOfTheStride() {
    LearnedCodec codec = codec(2);
    int[][] sizes = {{1, 1}, {17, 33}, {33, 17}, {16, 16}, {1, 40}, {50, 3}};
    for (int[] size : sizes) {
      for (PixelFormat format : PixelFormat.values()) {
        PixelImage image = TestImages.synthetic(size[0], size[1], format, size[0] * 31L + size[1]);
        PixelImage decoded = codec.decompress(codec.compress(image).bitstream());
        assertThat(decoded.width()).isEqualTo(size[0]);
        assertThat(decoded.height()).isEqualTo(size[1]);
        assertThat(decoded.format()).isEqualTo(format);
        assertThat(decoded.pixels()).hasSize(size[0] * size[1] * format.channels());
      }
    }
  }

  @Test
  void shouldDecodeGrayToGrayWithoutColourWhenInputIsGray8() {
    LearnedCodec codec = codec(3);
    PixelImage gray = TestImages.synthetic(40, 24, PixelFormat.GRAY8, 5);
    PixelImage decoded = codec.decompress(codec.compress(gray).bitstream());
    assertThat(decoded.format()).isEqualTo(PixelFormat.GRAY8);
    assertThat(QualityMetrics.psnr(gray, decoded)).isGreaterThan(15);
  }

  @Test
  void shouldRaisePsnrAndRateWhenQualityRises() {
    PixelImage image = TestImages.photo("skimage_chelsea.png", 128);
    List<Double> psnr = new ArrayList<>();
    List<Double> bpp = new ArrayList<>();
    for (int q = 1; q <= 3; q++) {
      LearnedCodec codec = codec(q);
      EncodedImage encoded = codec.compress(image);
      psnr.add(QualityMetrics.psnr(image, codec.decompress(encoded.bitstream())));
      bpp.add(encoded.bpp());
    }
    assertThat(psnr).isSortedAccordingTo(Double::compare).doesNotHaveDuplicates();
    assertThat(bpp).isSortedAccordingTo(Double::compare).doesNotHaveDuplicates();
  }

  @Test
  void shouldDecodeWithTheModelNamedInTheBitstreamWhenEncoderModelDiffers() {
    PixelImage image = TestImages.synthetic(48, 32, PixelFormat.RGB24, 9);
    byte[] q1 = codec(1).compress(image).bitstream();
    LearnedCodec q3 = codec(3);
    assertThat(LearnedCodec.inspect(q1).modelVersion()).startsWith("default-q1-");
    PixelImage decoded = q3.decompress(q1);
    assertThat(decoded.width()).isEqualTo(48);
  }

  @Test
  void shouldFailWithUnknownModelWhenBitstreamNamesAVersionNobodyHas() {
    CodecModel q1 = catalog.load("default", 1);
    byte[] bits =
        LearnedCodec.of(q1)
            .compress(TestImages.synthetic(20, 20, PixelFormat.RGB24, 1))
            .bitstream();
    CodecModel q2 = catalog.load("default", 2);
    assertThatThrownBy(() -> LearnedCodec.of(q2).decompress(bits))
        .isInstanceOf(UnknownModelException.class)
        .hasMessageContaining(q1.version());
  }

  @Test
  void shouldKeepContainerFormatWhenRoundTripping() {
    PixelImage png =
        new PixelImage(
            20,
            20,
            PixelFormat.RGB24,
            TestImages.synthetic(20, 20, PixelFormat.RGB24, 2).pixels(),
            ContainerFormat.PNG);
    LearnedCodec codec = codec(1);
    assertThat(codec.decompress(codec.compress(png).bitstream()).container())
        .isEqualTo(ContainerFormat.PNG);
  }
}
