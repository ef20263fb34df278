package io.latentstream.codec.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.TestImages;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.QualityMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Round trip on the trainer's real fixture package (src/test/resources/fixture-model), when
 * present.
 */
class TrainerFixtureTest {

  @Test
  void shouldRoundTripWhenTrainerFixtureIsPresent() throws IOException {
    Path dir = Paths.get("src", "test", "resources", "fixture-model");
    Assumptions.assumeTrue(Files.isDirectory(dir), "no trainer fixture");
    List<Path> packages;
    try (Stream<Path> s = Files.list(dir)) {
      packages = s.filter(p -> Files.isRegularFile(p.resolve("manifest.json"))).toList();
    }
    Assumptions.assumeFalse(packages.isEmpty(), "no trainer fixture package");
    for (Path pkg : packages) {
      try (CodecModel model = CodecModel.load(pkg)) {
        LearnedCodec codec = LearnedCodec.of(model);
        for (PixelImage image :
            List.of(
                TestImages.synthetic(37, 29, PixelFormat.RGB24, 3),
                TestImages.synthetic(20, 20, PixelFormat.GRAY8, 4))) {
          EncodedImage encoded = codec.compress(image);
          PixelImage decoded = codec.decompress(encoded.bitstream());
          assertThat(decoded.width()).isEqualTo(image.width());
          assertThat(decoded.height()).isEqualTo(image.height());
          assertThat(decoded.format()).isEqualTo(image.format());
          System.out.printf(
              "trainer fixture %s: %.3f bpp, %.2f dB%n",
              model.version(), encoded.bpp(), QualityMetrics.psnr(image, decoded));
        }
      }
    }
  }
}
