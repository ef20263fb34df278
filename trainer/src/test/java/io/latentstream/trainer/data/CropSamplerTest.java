package io.latentstream.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CropSamplerTest {

  @Test
  void shouldReplicateGrayIntoThreeEqualChannelsWhenDecodingAGrayPng(@TempDir Path dir)
      throws Exception {
    BufferedImage gray = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(5, 7, 0, 100);
    ImageIO.write(gray, "png", dir.resolve("g.png").toFile());

    TrainingImages.Image im = TrainingImages.decode(dir.resolve("g.png"), 0);

    int o = (7 * 40 + 5) * 3;
    assertThat(new int[] {im.rgb()[o] & 0xff, im.rgb()[o + 1] & 0xff, im.rgb()[o + 2] & 0xff})
        .containsExactly(100, 100, 100);
  }

  @Test
  void shouldDownscaleLargePhotosWhenTheLongerSideExceedsTheLimit(@TempDir Path dir)
      throws Exception {
    ImageIO.write(
        new BufferedImage(300, 100, BufferedImage.TYPE_INT_RGB),
        "png",
        dir.resolve("w.png").toFile());

    TrainingImages.Image im = TrainingImages.decode(dir.resolve("w.png"), 128);

    assertThat(im.width()).isEqualTo(100);
    assertThat(im.height()).isEqualTo(33);
  }

  @Test
  void shouldDrawTheSameBatchWhenAskedForTheSameIndexAgain() {
    byte[] rgb = new byte[64 * 48 * 3];
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] = (byte) (i * 7);
    }
    TrainingImages images = TrainingImages.of(List.of(new TrainingImages.Image("a", 64, 48, rgb)));
    CropSampler sampler = new CropSampler(images, 3, 32, 16, 11);

    CropSampler.Batch a = sampler.batch(5);
    CropSampler.Batch b = new CropSampler(images, 3, 32, 16, 11).batch(5);
    CropSampler.Batch other = sampler.batch(6);

    assertThat(a.pixels()).hasSize(3 * 16 * 32 * 3).containsExactly(b.pixels());
    assertThat(a.pixels()).isNotEqualTo(other.pixels());
    for (float v : a.pixels()) {
      assertThat(v).isBetween(0f, 1f);
    }
  }
}
