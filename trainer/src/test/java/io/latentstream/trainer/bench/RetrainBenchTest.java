package io.latentstream.trainer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.codec.model.CodecModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The plumbing of {@code bench-retrain} on a tiny synthetic fixed camera and the N=8/M=8 fixture
 * package: a split in time, a fine-tuned package that the codec loads and decodes with, and the
 * JSON a reader of BENCHMARKS.md relies on.
 */
class RetrainBenchTest {
  private static final int WIDTH = 96;
  private static final int HEIGHT = 80;
  private static final int FRAMES = 30;

  @Test
  void shouldFineTuneOnEarlierFramesAndScoreBothModelsOnLaterOnes(@TempDir Path tmp)
      throws Exception {
    Path footage = Files.createDirectories(tmp.resolve("cam"));
    for (int i = 0; i < FRAMES; i++) {
      ImageFiles.writePng(frame(i), footage.resolve(String.format("frame-%04d.png", i + 1)));
    }
    Path config = tmp.resolve("trainer.properties");
    Files.writeString(config, "train.crop=64x64\ntrain.batch=2\nschedule.interval.ms=3600000\n");
    Path generic = fixturePackage();
    Path out = tmp.resolve("results/bench.json");
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    int code =
        new CommandLine(new RetrainBench(new PrintStream(log, true, StandardCharsets.UTF_8)))
            .execute(
                "--footage",
                footage.toString(),
                "--model",
                generic.toString(),
                "--config",
                config.toString(),
                "--steps",
                "20",
                "--train-frames",
                "14",
                "--train-stride",
                "1",
                "--gap",
                "6",
                "--heldout-frames",
                "5",
                "--work",
                tmp.resolve("work").toString(),
                "--out",
                out.toString());

    assertThat(code).as("exit code; log:%n%s", log.toString(StandardCharsets.UTF_8)).isZero();
    JsonNode json = new ObjectMapper().readTree(out.toFile());
    List<Integer> train = ints(json.at("/split/train"));
    List<Integer> heldout = ints(json.at("/split/heldout"));
    assertThat(train).hasSize(14).allMatch(i -> i < 14);
    assertThat(heldout).hasSize(5).doesNotHaveDuplicates().allMatch(i -> i >= 20 && i < FRAMES);
    assertThat(heldout.get(0) - train.get(train.size() - 1)).isGreaterThan(6);
    assertThat(Files.list(tmp.resolve("work/data/train")).count()).isEqualTo(14);

    assertThat(json.get("arguments").toString()).contains("--steps", "20");
    assertThat(json.get("levels")).hasSize(1);
    JsonNode level = json.get("levels").get(0);
    assertThat(level.at("/generic/version").asText()).isEqualTo(generic.getFileName().toString());
    String tunedVersion = level.at("/fineTuned/version").asText();
    assertThat(tunedVersion).startsWith("fixture-").isNotEqualTo(generic.getFileName().toString());
    assertThat(level.at("/fineTuned/frames").asInt()).isEqualTo(5);
    assertThat(level.at("/generic/bpp").asDouble()).isPositive();
    assertThat(level.at("/fineTuned/bpp").asDouble()).isPositive();
    assertThat(level.get("steps").asLong()).isEqualTo(20);
    assertThat(level.get("fineTuneSeconds").asDouble()).isPositive();
    assertThat(json.get("bdRatePercent").isNull()).isTrue();
    assertThat(json.get("bdRateNote").asText()).contains("two quality levels");
    assertThat(json.get("scheduleIntervalSeconds").asLong()).isEqualTo(3600);
    assertThat(json.get("fitsSchedule").asBoolean()).isTrue();

    // The fine-tuned package is a real package: it names its parent, and the codec encodes and
    // decodes with it.
    Path tuned = Paths.get(level.at("/fineTuned/package").asText());
    JsonNode manifest = new ObjectMapper().readTree(tuned.resolve("manifest.json").toFile());
    assertThat(manifest.get("parentVersion").asText()).isEqualTo(generic.getFileName().toString());
    PixelImage heldoutFrame =
        ImageFiles.read(footage.resolve(String.format("frame-%04d.png", heldout.get(0) + 1)));
    try (CodecModel model = CodecModel.load(tuned)) {
      assertThat(model.version()).isEqualTo(tunedVersion);
      LearnedCodec codec = LearnedCodec.of(model);
      EncodedImage encoded = codec.compress(heldoutFrame);
      PixelImage decoded = codec.decompress(encoded.bitstream());
      assertThat(decoded.width()).isEqualTo(WIDTH);
      assertThat(decoded.height()).isEqualTo(HEIGHT);
      assertThat(QualityMetrics.psnr(heldoutFrame, decoded)).isGreaterThan(10);
    }
  }

  /** Frame {@code i}: a fixed view of a photo, sensor noise, and a dark figure walking across. */
  private static PixelImage frame(int i) throws IOException {
    PixelImage scene = ImageFiles.read(root().resolve("data/photos/train/skimage_chelsea.png"));
    Random noise = new Random(i);
    byte[] px = new byte[WIDTH * HEIGHT * 3];
    int figureX = (i * 3) % (WIDTH - 8);
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        boolean figure = x >= figureX && x < figureX + 8 && y >= 40 && y < 64;
        for (int c = 0; c < 3; c++) {
          int v =
              figure ? 30 : scene.sample(60 + y, 120 + x, scene.format().channels() == 1 ? 0 : c);
          px[(y * WIDTH + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v + noise.nextInt(5) - 2));
        }
      }
    }
    return new PixelImage(WIDTH, HEIGHT, PixelFormat.RGB24, px);
  }

  private static Path fixturePackage() throws IOException {
    try (Stream<Path> s = Files.list(root().resolve("codec/src/test/resources/fixture-model"))) {
      return s.filter(p -> Files.isRegularFile(p.resolve("manifest.json")))
          .findFirst()
          .orElseThrow();
    }
  }

  private static Path root() {
    String root = System.getProperty("latentstream.root");
    return root != null ? Paths.get(root) : Paths.get("..").toAbsolutePath().normalize();
  }

  private static List<Integer> ints(JsonNode array) {
    List<Integer> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asInt()));
    return out;
  }
}
