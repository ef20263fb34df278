package io.latentstream.codec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.codec.TestImages;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.model.ModelCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodecCliTest {
  @TempDir
  Path dir;

  @BeforeEach
  void pointAtFixtureModels() {
    System.setProperty(ModelCatalog.MODELS_DIR_PROPERTY, FixtureModels.modelsDir().toString());
  }

  @AfterEach
  void reset() {
    System.clearProperty(ModelCatalog.MODELS_DIR_PROPERTY);
  }

  @Test
  void shouldEncodeAndDecodeDirectoriesWhenGivenDirectories() throws Exception {
    Path in = Files.createDirectories(dir.resolve("in"));
    ImageFiles.writePng(TestImages.synthetic(30, 20, PixelFormat.RGB24, 1), in.resolve("a.png"));
    ImageFiles.writePng(TestImages.synthetic(17, 9, PixelFormat.GRAY8, 2), in.resolve("b.png"));
    assertThat(CodecCli.run("encode", "--quality", "1", in.toString(), dir.resolve("lsf").toString())).isZero();
    assertThat(dir.resolve("lsf/a.lsf")).exists();
    assertThat(CodecCli.run("decode", dir.resolve("lsf").toString(), dir.resolve("out").toString())).isZero();
    PixelImage b = ImageFiles.read(dir.resolve("out/b.png"));
    assertThat(b.width()).isEqualTo(17);
    assertThat(b.format()).isEqualTo(PixelFormat.GRAY8);
    assertThat(CodecCli.run("decode", "--format", "raw", dir.resolve("lsf/a.lsf").toString(),
        dir.resolve("a.raw").toString())).isZero();
    assertThat(Files.size(dir.resolve("a.raw"))).isEqualTo(30 * 20 * 3);
  }

  @Test
  void shouldReturnErrorCodeWhenBitstreamIsCorrupt() throws Exception {
    Path bad = dir.resolve("bad.lsf");
    Files.write(bad, new byte[] {'L', 'S', 'F', 1, 0, 0});
    assertThat(CodecCli.run("decode", bad.toString(), dir.resolve("x.png").toString())).isEqualTo(2);
  }

  @Test
  void shouldWriteRdJsonWithBdRateAndPlotWhenEvaluating() throws Exception {
    Path images = Files.createDirectories(dir.resolve("images"));
    ImageFiles.writePng(TestImages.synthetic(64, 48, PixelFormat.RGB24, 5), images.resolve("s.png"));
    Path out = dir.resolve("rd.json");
    Path plot = dir.resolve("rd.png");
    assertThat(CodecCli.run("eval", "--images", images.toString(), "--out", out.toString(), "--plot",
        plot.toString())).isZero();
    JsonNode rd = new ObjectMapper().readTree(out.toFile());
    assertThat(rd.get("curves")).hasSizeGreaterThanOrEqualTo(2);
    assertThat(rd.get("curves").get(0).get("points")).hasSize(3);
    assertThat(rd.get("bdRatePercent").has("vs jpeg")).isTrue();
    assertThat(ImageFiles.read(plot).width()).isEqualTo(800);
  }

  @Test
  void shouldReportSpeedsWhenBenchmarking() throws Exception {
    Path out = dir.resolve("bench.json");
    assertThat(CodecCli.run("bench", "--size", "64x48", "--frames", "2", "--runs", "1", "--out",
        out.toString())).isZero();
    JsonNode bench = new ObjectMapper().readTree(out.toFile());
    assertThat(bench.get("encodeFps").asDouble()).isPositive();
    assertThat(bench.get("jpegImageIoEncodeFps").asDouble()).isPositive();
    assertThat(bench.get("entropyCoder").get("decodeMSymbolsPerSec").asDouble()).isPositive();
  }
}
