package io.latentstream.streams.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.platform.LoopbackPorts;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./latentstream demo --no-retrain} in-process with the fixture model on tiny frames, one camera playing
 * footage: every frame comes out as a latent, the report carries the figures a newcomer reads, its page shows images
 * that exist, and no child JVM is left. The retraining part runs in integration-tests' DemoRetrainingIT (the trainer
 * module is not on this module's classpath).
 */
class DemoIT {

  @TempDir
  Path dir;

  @Test
  void shouldAccountForEveryFrameAndWriteACompleteReportWhenRunEndToEnd() throws Exception {
    Set<Long> childrenBefore = descendants();
    Path report = dir.resolve("report");
    StringWriter stdout = new StringWriter();
    StringWriter stderr = new StringWriter();
    List<Integer> ports = freePorts(3);
    Path footage = Files.createDirectories(dir.resolve("footage"));
    for (int i = 0; i < 3; i++) {
      ImageFiles.writePng(new PixelImage(80, 60, PixelFormat.RGB24, new byte[80 * 60 * 3]),
          footage.resolve("frame-" + i + ".png"));
    }

    int exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(stdout)).setErr(new PrintWriter(stderr))
        .execute("--models-dir", FixtureModels.modelsDir().toString(), "--quality", "2",
            "--photos", Paths.get("..", "data", "photos").toString(), "--size", "64x48", "--cameras", "2",
            "--frames", "5", "--report", report.toString(), "--data-dir", dir.resolve("data").toString(),
            "--broker-port", ports.get(0).toString(), "--controller-port", ports.get(1).toString(),
            "--registry-port", ports.get(2).toString(), "--footage", footage.toString(), "--no-retrain");

    assertThat(exit).as(stdout + "\n" + stderr).isZero();
    assertThat(stdout.toString()).contains("10 in, 10 latents out, 0 dead letters", "demo: ok");
    assertThat(stderr.toString()).contains("latents");
    JsonNode json = new ObjectMapper().readTree(report.resolve("report.json").toFile());
    assertThat(json.path("framesIn").asInt()).isEqualTo(10);
    assertThat(json.path("latentsOut").asInt()).isEqualTo(10);
    assertThat(json.path("dlqCount").asInt()).isZero();
    assertThat(json.path("meanBpp").asDouble()).isPositive();
    assertThat(json.path("meanPsnr").asDouble()).isBetween(5.0, 100.0);
    assertThat(json.path("compressionRatioVsRaw").asDouble()).isGreaterThan(1.0);
    assertThat(json.path("compressionRatioVsJpegAtEqualPsnr").asDouble()).isPositive();
    assertThat(json.path("throughputFps").asDouble()).isPositive();
    assertThat(json.path("modelVersionsSeen").get(0).asText())
        .isEqualTo(FixtureModels.level(2).getFileName().toString());
    assertThat(json.path("framesPerModelVersion").path(FixtureModels.level(2).getFileName().toString()).asInt())
        .isEqualTo(10);
    assertThat(json.path("retrainingRuns").isArray()).isTrue();
    assertThat(json.path("retrainingRuns")).isEmpty();
    assertThat(json.path("retraining").asText()).contains("not run");
    assertThat(json.path("footageCamera").asText()).isEqualTo("demo-cam-1");

    String html = Files.readString(report.resolve("report.html"));
    Matcher src = Pattern.compile("src=\"([^\"]+)\"").matcher(html);
    Set<String> images = new HashSet<>();
    while (src.find()) {
      images.add(src.group(1));
    }
    assertThat(images).contains("rd.png").hasSizeGreaterThanOrEqualTo(1 + 2 * 2);
    for (String image : images) {
      assertThat(report.resolve(image)).isRegularFile();
      assertThat(Files.size(report.resolve(image))).isPositive();
    }
    await().atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(descendants()).isSubsetOf(childrenBefore));
  }

  @Test
  void shouldFailWithAClearMessageWhenABrokerPortIsTaken() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      List<Integer> ports = freePorts(2);
      StringWriter stderr = new StringWriter();

      int exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(new StringWriter()))
          .setErr(new PrintWriter(stderr))
          .execute("--models-dir", FixtureModels.modelsDir().toString(), "--quality", "2",
              "--photos", Paths.get("..", "data", "photos").toString(), "--size", "64x48", "--frames", "1",
              "--report", dir.resolve("r").toString(), "--data-dir", dir.resolve("d").toString(),
              "--broker-port", String.valueOf(taken.getLocalPort()), "--controller-port", ports.get(0).toString(),
              "--registry-port", ports.get(1).toString(), "--no-retrain");

      assertThat(exit).isEqualTo(2);
      assertThat(stderr.toString()).contains(String.valueOf(taken.getLocalPort()), "--broker-port");
    }
  }

  private static List<Integer> freePorts(int n) {
    Set<Integer> ports = new java.util.LinkedHashSet<>();
    while (ports.size() < n) {
      ports.add(LoopbackPorts.findFree());
    }
    return List.copyOf(ports);
  }

  private static Set<Long> descendants() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }
}
