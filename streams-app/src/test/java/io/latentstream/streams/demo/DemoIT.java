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
import io.latentstream.schemas.files.FileTrees;
import io.latentstream.testkit.ChildProcesses;
import io.latentstream.testkit.CommandRun;
import io.latentstream.testkit.HeadlessChromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./latentstream demo --no-retrain} in-process with the fixture model on tiny frames, one
 * camera playing footage: every frame comes out as a latent, the report carries the figures a
 * newcomer reads, its page shows images that exist, and no child JVM is left. The retraining part
 * runs in integration-tests' DemoRetrainingIT (the trainer module is not on this module's
 * classpath).
 */
class DemoIT {

  /** Virtual time the report page gets to load its images before it is read. */
  private static final Duration RENDER_TIME = Duration.ofSeconds(5);

  @TempDir Path dir;

  @Test
  void shouldAccountForEveryFrameAndWriteACompleteReportWhenRunEndToEnd() throws Exception {
    Set<Long> childrenBefore = ChildProcesses.alive();
    // kept under target/ for a person to open (and the screenshot next to it)
    Path report = Paths.get("target", "demo-it-report").toAbsolutePath();
    FileTrees.deleteTree(report);
    List<Integer> ports = LoopbackPorts.findFree(3);
    Path footage = Files.createDirectories(dir.resolve("footage"));
    for (int i = 0; i < 3; i++) {
      // a gradient that drifts a little from frame to frame: footage a thumbnail of which is
      // visibly not blank
      byte[] px = new byte[80 * 60 * 3];
      for (int p = 0; p < px.length; p++) {
        int x = p / 3 % 80;
        int y = p / 3 / 80;
        px[p] = (byte) (p % 3 == 0 ? 3 * x + i : p % 3 == 1 ? 4 * y : 120);
      }
      ImageFiles.writePng(
          new PixelImage(80, 60, PixelFormat.RGB24, px), footage.resolve("frame-" + i + ".png"));
    }

    CommandRun run =
        demo(
            "--cameras",
            "2",
            "--frames",
            "8",
            "--report",
            report.toString(),
            "--data-dir",
            dir.resolve("data").toString(),
            "--broker-port",
            ports.get(0).toString(),
            "--controller-port",
            ports.get(1).toString(),
            "--registry-port",
            ports.get(2).toString(),
            "--footage",
            footage.toString(),
            "--no-retrain");

    assertThat(run.exit()).as(run.transcript()).isZero();
    assertThat(run.out()).contains("16 in, 16 latents out, 0 dead letters", "demo: ok");
    assertThat(run.err()).contains("latents");
    JsonNode json = new ObjectMapper().readTree(report.resolve("report.json").toFile());
    assertThat(json.path("framesIn").asInt()).isEqualTo(16);
    assertThat(json.path("latentsOut").asInt()).isEqualTo(16);
    assertThat(json.path("dlqCount").asInt()).isZero();
    assertThat(json.path("meanBpp").asDouble()).isPositive();
    // The tiny fixture model (q2) on these frames measured 20.48 dB as a consumer decodes them (KEY
    // and DELTA),
    // 20.53 dB coded one by one, and the key and delta frames took 27.6 % of the bytes
    // (2026-12-05): the frames and
    // the model are fixed, so a drop of half a dB or a rise in bytes is a regression, not noise
    JsonNode headline = json.path("headline");
    assertThat(json.path("meanPsnr").asDouble()).isGreaterThan(20.0);
    assertThat(headline.path("psnr").asDouble())
        .isCloseTo(
            headline.path("perFrameCodingPsnr").asDouble(),
            org.assertj.core.data.Offset.offset(0.3));
    assertThat(headline.path("percentOfPerFrameCoding").asDouble()).isLessThan(35.0);
    // one KEY frame per camera, then DELTA frames, each a fraction of its key frame
    assertThat(json.path("keyFrames").asInt()).isEqualTo(2);
    for (String camera : List.of("demo-cam-0", "demo-cam-1")) {
      JsonNode keys = json.path("keyFramePerFrame").path(camera);
      JsonNode bytes = json.path("bytesPerFrame").path(camera);
      assertThat(keys.get(0).asBoolean()).as("%s starts with a KEY frame", camera).isTrue();
      for (int seq = 1; seq < 8; seq++) {
        assertThat(keys.get(seq).asBoolean())
            .as("%s frame %d is a DELTA frame", camera, seq)
            .isFalse();
        assertThat(bytes.get(seq).asInt())
            .as("%s frame %d bytes", camera, seq)
            .isPositive()
            .isLessThan(bytes.get(0).asInt() / 4);
      }
    }
    assertThat(json.path("compressionRatioVsRaw").asDouble()).isGreaterThan(1.0);
    assertThat(json.path("compressionRatioVsJpegAtEqualPsnr").asDouble()).isPositive();
    assertThat(json.path("throughputFps").asDouble()).isPositive();
    assertThat(json.path("modelVersionsSeen").get(0).asText())
        .isEqualTo(FixtureModels.level(2).getFileName().toString());
    assertThat(
            json.path("framesPerModelVersion")
                .path(FixtureModels.level(2).getFileName().toString())
                .asInt())
        .isEqualTo(16);
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
    assertRendersInChromium(report);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(ChildProcesses.alive()).isSubsetOf(childrenBefore));
  }

  @Test
  void shouldFailWithAClearMessageWhenABrokerPortIsTaken() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      List<Integer> ports = LoopbackPorts.findFree(2);

      CommandRun run =
          demo(
              "--frames",
              "1",
              "--report",
              dir.resolve("r").toString(),
              "--data-dir",
              dir.resolve("d").toString(),
              "--broker-port",
              String.valueOf(taken.getLocalPort()),
              "--controller-port",
              ports.get(0).toString(),
              "--registry-port",
              ports.get(1).toString(),
              "--no-retrain");

      assertThat(run.exit()).isEqualTo(2);
      assertThat(run.err()).contains(String.valueOf(taken.getLocalPort()), "--broker-port");
    }
  }

  /**
   * Acceptance 5: the report as a browser shows it. Headless Chromium ({@code /usr/bin/chromium};
   * CI installs it) opens a page next to the report that frames it and reads back, from the
   * rendered report, the headline and every image: loaded, and how many distinct colours it has (a
   * blank or broken image has one or none). It also leaves a screenshot of the report in the report
   * folder for a person to look at.
   */
  private static void assertRendersInChromium(Path report) throws Exception {
    HeadlessChromium chromium = HeadlessChromium.require("DemoIT");
    Path check = report.resolve("render-check.html");
    Files.writeString(
        check,
        """
        <!DOCTYPE html><html><body>
        <iframe id="r" src="report.html" style="width:1280px;height:3000px"></iframe>
        <script>
        window.addEventListener('load', function () {
          var d = document.getElementById('r').contentDocument;
          var h = d.getElementById('headline');
          var lines = ['headline=' + (h ? h.textContent : '')];
          for (var i = 0; i < d.images.length; i++) {
            var img = d.images[i];
            var colours = 0;
            if (img.complete && img.naturalWidth > 0) {
              var c = document.createElement('canvas');
              c.width = img.naturalWidth;
              c.height = img.naturalHeight;
              var g = c.getContext('2d');
              g.drawImage(img, 0, 0);
              var px = g.getImageData(0, 0, c.width, c.height).data;
              var seen = {};
              for (var k = 0; k < px.length && colours < 64; k += 4) {
                var key = px[k] + ',' + px[k + 1] + ',' + px[k + 2];
                if (!seen[key]) { seen[key] = true; colours++; }
              }
            }
            lines.push('image=' + img.getAttribute('src') + ' ' + img.naturalWidth + 'x' + img.naturalHeight
                + ' colours=' + colours);
          }
          var pre = document.createElement('pre');
          pre.id = 'check';
          pre.textContent = lines.join('\\n');
          document.body.appendChild(pre);
        });
        </script></body></html>
        """);
    Path dom = report.resolve("render-check.dom.html");
    Path log = Paths.get("target", "demo-report-chromium.log").toAbsolutePath();
    chromium.run(
        check.toUri().toString(),
        RENDER_TIME,
        log,
        dom,
        "--allow-file-access-from-files",
        "--dump-dom");
    String rendered =
        org.jsoup.Jsoup.parse(Files.readString(dom)).select("pre#check").text().replace('\n', ' ');
    Matcher headline = Pattern.compile("headline=(.*?) image=").matcher(rendered);
    assertThat(headline.find()).as("the rendered check: %s", rendered).isTrue();
    assertThat(headline.group(1))
        .contains(
            "frames from 2 cameras took",
            "% of the same frames coded one by one",
            "as a consumer decodes them");
    Matcher image = Pattern.compile("image=(\\S+) (\\d+)x(\\d+) colours=(\\d+)").matcher(rendered);
    Set<String> shown = new HashSet<>();
    while (image.find()) {
      assertThat(Integer.parseInt(image.group(2))).as("%s loaded", image.group(1)).isPositive();
      assertThat(Integer.parseInt(image.group(4)))
          .as("colours of %s", image.group(1))
          .isGreaterThan(3);
      shown.add(image.group(1));
    }
    assertThat(shown)
        .as("the bytes-per-frame plot, the RD plot and the thumbnails")
        .contains("frames.png", "rd.png");
    assertThat(shown.stream().filter(s -> s.startsWith("frame-")))
        .as("thumbnails, original and decoded")
        .hasSizeGreaterThanOrEqualTo(2 * 2);
    chromium.run(
        report.resolve("report.html").toUri().toString(),
        RENDER_TIME,
        log,
        report.resolve("screenshot.log"),
        "--screenshot=" + report.resolve("screenshot.png"),
        "--window-size=1280,2400");
    assertThat(report.resolve("screenshot.png")).isRegularFile();
  }

  /**
   * The demo on the fixture model (quality 2) and the shared photos at 64x48, plus {@code args}.
   */
  private static CommandRun demo(String... args) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--models-dir",
                FixtureModels.modelsDir().toString(),
                "--quality",
                "2",
                "--photos",
                Paths.get("..", "data", "photos").toString(),
                "--size",
                "64x48"));
    all.addAll(List.of(args));
    return CommandRun.of(new DemoCommand(), all.toArray(String[]::new));
  }
}
