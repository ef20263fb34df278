package io.latentstream.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.codec.bitstream.LsfFormat;
import io.latentstream.codec.bitstream.LsfHeader;
import io.latentstream.codec.image.ContainerFormat;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.model.ModelCatalog;
import io.latentstream.codec.model.ModelResolver;
import io.latentstream.codec.sequence.SequenceDecoder;
import org.junit.jupiter.api.Test;

/**
 * A bitstream of a few bytes may claim any image size up to the format's limit; decoders with
 * {@link DecodeLimits} refuse a larger claim from the header alone, before resolving the model or
 * allocating symbols.
 */
class DecodeLimitsTest {

  private static final DecodeLimits SMALL = new DecodeLimits(100_000);

  /** Fails the test when a decoder goes as far as resolving the model. */
  private static final ModelResolver NO_MODEL =
      version -> {
        throw new AssertionError(
            "model " + version + " resolved before the frame's size was checked");
      };

  /**
   * A well-formed KEY bitstream that claims {@code width x height} and carries eight bytes of
   * payload.
   */
  private static byte[] claiming(int width, int height) {
    LsfHeader h =
        new LsfHeader(
            "default-q2-20261125000000-0badc0de",
            width,
            height,
            PixelFormat.RGB24,
            ContainerFormat.RAW,
            16,
            (height + 15) / 16,
            (width + 15) / 16,
            128);
    return LsfFormat.writeKey(h, 0, new byte[8]);
  }

  @Test
  void shouldRefuseAKeyFrameLargerThanTheLimitBeforeResolvingItsModel() {
    byte[] bomb = claiming(8192, 8192);
    assertThatThrownBy(() -> new LearnedCodec(null, NO_MODEL, SMALL).decompress(bomb))
        .isInstanceOf(FrameTooLargeException.class)
        .hasMessageContaining("8192x8192")
        .hasMessageContaining("100000");
    SequenceDecoder stream = new SequenceDecoder(NO_MODEL, SMALL);
    assertThatThrownBy(() -> stream.apply(bomb)).isInstanceOf(FrameTooLargeException.class);
    assertThat(stream.state()).isNull();
    assertThatThrownBy(() -> LearnedCodec.readKeySymbols(LsfFormat.parse(bomb), null, SMALL))
        .isInstanceOf(FrameTooLargeException.class);
  }

  @Test
  void shouldDecodeFramesUpToTheLimitExactly() {
    try (ModelCatalog catalog = new ModelCatalog(FixtureModels.modelsDir(), 2)) {
      LearnedCodec codec = new LearnedCodec(catalog.load("default", 2), catalog);
      PixelImage image = TestImages.synthetic(64, 48, PixelFormat.RGB24, 7);
      byte[] bits = codec.compress(image).bitstream();
      PixelImage unlimited = codec.decompress(bits);
      assertThat(codec.withLimits(new DecodeLimits(64 * 48)).decompress(bits).pixels())
          .isEqualTo(unlimited.pixels());
      assertThat(new SequenceDecoder(catalog, new DecodeLimits(64 * 48)).decode(bits).pixels())
          .isEqualTo(unlimited.pixels());
      assertThatThrownBy(() -> codec.withLimits(new DecodeLimits(64 * 48 - 1)).decompress(bits))
          .isInstanceOf(FrameTooLargeException.class);
      assertThatThrownBy(
              () -> new SequenceDecoder(catalog, new DecodeLimits(64 * 48 - 1)).apply(bits))
          .isInstanceOf(FrameTooLargeException.class);
    }
  }

  @Test
  void shouldKeepLimitsWithinTheFormatsOwn() {
    assertThat(DecodeLimits.DEFAULT.maxPixels()).isEqualTo(PixelImage.MAX_PIXELS);
    assertThat(DecodeLimits.ofMaxPixels(Long.MAX_VALUE)).isEqualTo(DecodeLimits.DEFAULT);
    assertThat(DecodeLimits.ofMaxPixels(4096L * 4096).maxPixels()).isEqualTo(4096L * 4096);
    assertThatThrownBy(() -> new DecodeLimits(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DecodeLimits(PixelImage.MAX_PIXELS + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
