package io.latentstream.codec.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.codec.TestImages;
import io.latentstream.codec.bitstream.LsfFormat;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.codec.model.ModelCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodecCliTest {
  @TempDir Path dir;

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
    assertThat(
            CodecCli.run("encode", "--quality", "1", in.toString(), dir.resolve("lsf").toString()))
        .isZero();
    assertThat(dir.resolve("lsf/a.lsf")).exists();
    assertThat(CodecCli.run("decode", dir.resolve("lsf").toString(), dir.resolve("out").toString()))
        .isZero();
    PixelImage b = ImageFiles.read(dir.resolve("out/b.png"));
    assertThat(b.width()).isEqualTo(17);
    assertThat(b.format()).isEqualTo(PixelFormat.GRAY8);
    assertThat(
            CodecCli.run(
                "decode",
                "--format",
                "raw",
                dir.resolve("lsf/a.lsf").toString(),
                dir.resolve("a.raw").toString()))
        .isZero();
    assertThat(Files.size(dir.resolve("a.raw"))).isEqualTo(30 * 20 * 3);
  }

  @Test
  void shouldReturnErrorCodeWhenBitstreamIsCorrupt() throws Exception {
    Path bad = dir.resolve("bad.lsf");
    Files.write(bad, new byte[] {'L', 'S', 'F', 1, 0, 0});
    assertThat(CodecCli.run("decode", bad.toString(), dir.resolve("x.png").toString()))
        .isEqualTo(2);
  }

  @Test
  void shouldWriteRdJsonWithBdRateAndPlotWhenEvaluating() throws Exception {
    Path images = Files.createDirectories(dir.resolve("images"));
    ImageFiles.writePng(
        TestImages.synthetic(64, 48, PixelFormat.RGB24, 5), images.resolve("s.png"));
    Path plot = dir.resolve("rd.png");
    JsonNode rd =
        runForJson("rd.json", "eval", "--images", images.toString(), "--plot", plot.toString());
    assertThat(rd.get("curves")).hasSizeGreaterThanOrEqualTo(2);
    assertThat(rd.get("curves").get(0).get("points")).hasSize(3);
    assertThat(rd.get("bdRatePercent").has("vs jpeg")).isTrue();
    assertThat(ImageFiles.read(plot).width()).isEqualTo(800);
  }

  @Test
  void shouldReportSpeedsWhenBenchmarking() throws Exception {
    JsonNode bench =
        runForJson("bench.json", "bench", "--size", "64x48", "--frames", "2", "--runs", "1");
    assertThat(bench.get("encodeFps").asDouble()).isPositive();
    assertThat(bench.get("jpegImageIoEncodeFps").asDouble()).isPositive();
    assertThat(bench.get("entropyCoder").get("decodeMSymbolsPerSec").asDouble()).isPositive();
  }

  /** A fixed camera's frames: one scene, a small square that moves. */
  private Path sequence(int frames) throws Exception {
    Path in = Files.createDirectories(dir.resolve("frames"));
    for (int t = 0; t < frames; t++) {
      PixelImage base = TestImages.synthetic(48, 32, PixelFormat.RGB24, 3);
      byte[] px = base.pixels().clone();
      for (int y = 8; y < 16; y++) {
        for (int x = t; x < t + 8; x++) {
          px[(y * 48 + x) * 3] = (byte) 255;
        }
      }
      ImageFiles.writePng(
          new PixelImage(48, 32, PixelFormat.RGB24, px),
          in.resolve(String.format("f-%03d.png", t)));
    }
    return in;
  }

  @Test
  void shouldEncodeAFolderAsOneStreamAndDecodeItBackInNameOrder() throws Exception {
    Path in = sequence(12);
    assertThat(
            CodecCli.run(
                "encode",
                "--sequence",
                "--quality",
                "2",
                "--keyframe-interval",
                "5",
                in.toString(),
                dir.resolve("lsf").toString()))
        .isZero();
    for (int t = 0; t < 12; t++) {
      byte[] bits = Files.readAllBytes(dir.resolve(String.format("lsf/f-%03d.lsf", t)));
      assertThat(LsfFormat.parse(bits).type())
          .as("frame %d", t)
          .isEqualTo(
              t % 5 == 0
                  ? io.latentstream.codec.bitstream.FrameType.KEY
                  : io.latentstream.codec.bitstream.FrameType.DELTA);
    }
    assertThat(CodecCli.run("decode", dir.resolve("lsf").toString(), dir.resolve("out").toString()))
        .isZero();
    for (int t = 0; t < 12; t++) {
      PixelImage decoded = ImageFiles.read(dir.resolve(String.format("out/f-%03d.png", t)));
      assertThat(
              QualityMetrics.psnr(
                  ImageFiles.read(in.resolve(String.format("f-%03d.png", t))), decoded))
          .isGreaterThan(10);
    }
    // a DELTA frame alone cannot be decoded: a clear error, exit status 2
    assertThat(
            CodecCli.run(
                "decode", dir.resolve("lsf/f-003.lsf").toString(), dir.resolve("x.png").toString()))
        .isEqualTo(2);
  }

  @Test
  void shouldCompareSequenceCodingWithPerFrameCodecsWhenEvaluatingASequence() throws Exception {
    Path in = sequence(8);
    Path plot = dir.resolve("seq.png");
    JsonNode rd =
        runForJson("seq.json", "eval", "--sequence", in.toString(), "--plot", plot.toString());
    assertThat(rd.get("frames").asInt()).isEqualTo(8);
    assertThat(rd.get("curves").get(0).get("codec").asText()).startsWith("learned-sequence");
    assertThat(rd.get("curves").get(1).get("codec").asText()).startsWith("learned-per-frame");
    assertThat(rd.get("bdRatePercentOfSequenceVs").has("jpeg")).isTrue();
    assertThat(rd.get("bytesPerFrame").get("default-q1")).hasSize(8);
    assertThat(Files.exists(dir.resolve("seq-frames.png"))).isTrue();
  }

  @Test
  void shouldReportSequenceSpeedsBesidePerFrameSpeeds() throws Exception {
    Path in = sequence(6);
    JsonNode bench =
        runForJson(
            "bench-seq.json",
            "bench",
            "--sequence",
            in.toString(),
            "--size",
            "48x32",
            "--frames",
            "6",
            "--runs",
            "1");
    assertThat(bench.get("sequenceEncodeFpsRatio").asDouble()).isPositive();
    assertThat(bench.get("deltaEntropyDecodeFps").asDouble()).isPositive();
    assertThat(bench.get("randomAccessMs").get("keyFrameOnly").asDouble()).isPositive();
  }

  /** Runs the CLI with {@code args} plus {@code --out} a file named {@code out}; its JSON. */
  private JsonNode runForJson(String out, String... args) throws IOException {
    Path file = dir.resolve(out);
    String[] all = Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--out";
    all[args.length + 1] = file.toString();
    assertThat(CodecCli.run(all)).as("exit status of %s", String.join(" ", all)).isZero();
    return new ObjectMapper().readTree(file.toFile());
  }
}
