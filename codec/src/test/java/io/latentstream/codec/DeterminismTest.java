package io.latentstream.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.model.ModelCatalog;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same input gives identical bytes in two separate JVMs, and a bitstream decodes in another
 * JVM.
 */
class DeterminismTest {
  @TempDir Path dir;

  @Test
  void shouldProduceIdenticalBytesWhenEncodedInAnotherProcess() throws Exception {
    Path models = FixtureModels.modelsDir();
    PixelImage image = TestImages.synthetic(70, 45, PixelFormat.RGB24, 77);
    Path png = dir.resolve("in.png");
    ImageFiles.writePng(image, png);
    byte[] here;
    try (ModelCatalog catalog = new ModelCatalog(models, 2)) {
      LearnedCodec codec = new LearnedCodec(catalog.load("default", 2), catalog);
      here = codec.compress(ImageFiles.read(png)).bitstream();

      Path there = dir.resolve("out.lsf");
      runCli(
          models,
          "encode",
          "--model",
          "default",
          "--quality",
          "2",
          png.toString(),
          there.toString());
      assertThat(Files.readAllBytes(there)).isEqualTo(here);

      Path decodedThere = dir.resolve("decoded.png");
      runCli(models, "decode", there.toString(), decodedThere.toString());
      PixelImage fromOtherProcess = ImageFiles.read(decodedThere);
      PixelImage fromHere = codec.decompress(here);
      assertThat(fromOtherProcess.pixels()).isEqualTo(fromHere.pixels());
      assertThat(QualityMetrics.psnr(image, fromOtherProcess)).isGreaterThan(15);
    }
  }

  private static void runCli(Path models, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Djava.library.path=" + System.getProperty("java.library.path"));
    cmd.add("-Dlatentstream.models.dir=" + models);
    cmd.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.latentstream.codec.cli.CodecCli");
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(new File(System.getProperty("java.io.tmpdir"), "determinism-cli.log"))
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
    assertThat(p.exitValue()).as("child exit code, see target/tmp/determinism-cli.log").isZero();
  }
}
