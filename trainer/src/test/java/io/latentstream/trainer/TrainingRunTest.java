package io.latentstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.trainer.eval.PackageScore;
import io.latentstream.trainer.export.ExportVerifier;
import io.latentstream.trainer.graph.ModelConfig;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingRunTest {

  @Test
  void shouldExportAPackageAndContinueFromTheCheckpointWhenRunAgainWithMoreSteps(@TempDir Path tmp)
      throws Exception {
    Path photos = Files.createDirectories(tmp.resolve("photos"));
    for (int k = 0; k < 2; k++) {
      BufferedImage im = new BufferedImage(80, 64, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 80; x++) {
          im.setRGB(
              x, y, ((x * 3 + k * 40) & 0xff) << 16 | ((y * 4) & 0xff) << 8 | ((x + y) * 2 & 0xff));
        }
      }
      ImageIO.write(im, "png", photos.resolve("p" + k + ".png").toFile());
    }
    Path out = tmp.resolve("run");

    Path first = new TrainingRun(options(photos, out, 3), quiet()).run();

    JsonNode manifest = new ObjectMapper().readTree(first.resolve("manifest.json").toFile());
    assertThat(manifest.get("name").asText()).isEqualTo("tiny-q1");
    assertThat(manifest.at("/training/steps").asLong()).isEqualTo(3);
    assertThat(manifest.at("/metrics/images").asInt()).isEqualTo(2);
    // The manifest's metrics are what the codec (./latentstream eval) measures on real bitstreams:
    // reproducible.
    PackageScore.Result real = PackageScore.score(first, photos);
    assertThat(manifest.at("/metrics/bpp").asDouble()).isCloseTo(real.bpp(), within(1e-4));
    assertThat(manifest.at("/metrics/psnr").asDouble()).isCloseTo(real.psnr(), within(0.01));
    assertThat(manifest.at("/metrics/idealBpp").asDouble())
        .isPositive()
        .isLessThanOrEqualTo(real.bpp());
    ExportVerifier.verifyFiles(first);
    assertThat(Checkpoint.read(out).step()).isEqualTo(3);

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Path second =
        new TrainingRun(options(photos, out, 5), new PrintStream(log, true, StandardCharsets.UTF_8))
            .run();

    assertThat(log.toString(StandardCharsets.UTF_8)).contains("resumed from").contains("at step 3");
    assertThat(Checkpoint.read(out).step()).isEqualTo(5);
    assertThat(
            new ObjectMapper()
                .readTree(second.resolve("manifest.json").toFile())
                .at("/training/steps")
                .asLong())
        .isEqualTo(5);
    assertThat(Files.readString(out.resolve(TrainingRun.PROGRESS_LOG))).contains("step 5/5");

    ByteArrayOutputStream fineTuneLog = new ByteArrayOutputStream();
    TrainingOptions fineTune = options(photos, tmp.resolve("fine-tune"), 2, second);
    Path child =
        new TrainingRun(fineTune, new PrintStream(fineTuneLog, true, StandardCharsets.UTF_8)).run();

    assertThat(fineTuneLog.toString(StandardCharsets.UTF_8)).contains("initialized from package");
    assertThat(
            new ObjectMapper()
                .readTree(child.resolve("manifest.json").toFile())
                .get("parentVersion")
                .asText())
        .isEqualTo(second.getFileName().toString());
  }

  private static TrainingOptions options(Path photos, Path out, long steps) {
    return options(photos, out, steps, null);
  }

  private static TrainingOptions options(Path photos, Path out, long steps, Path init) {
    return new TrainingOptions(
        List.of(photos),
        0,
        0.0483,
        steps,
        32,
        32,
        2,
        new ModelConfig(8, 8, 5, ModelConfig.Nonlinearity.GDN),
        1e-3,
        0.8,
        0.1,
        10,
        1e-3,
        1.0,
        1000,
        600,
        7,
        out,
        "tiny-q1",
        1,
        init,
        photos,
        "test");
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
