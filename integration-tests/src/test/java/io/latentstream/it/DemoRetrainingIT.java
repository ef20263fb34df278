package io.latentstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.platform.LoopbackPorts;
import io.latentstream.streams.demo.DemoCommand;
import io.latentstream.testkit.ChildProcesses;
import io.latentstream.testkit.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code ./latentstream demo} with its retraining service (a child JVM running the trainer module),
 * on the tiny trainable fixture (N=8, M=8) and small frames: the trainer gets the sampled frames,
 * one run fine-tunes the fixture for a few steps and passes the real promotion gate (default margin
 * and per-camera tolerance), the release is signed with the demo's key and verified by the streams
 * app, the frames the cameras held back are all encoded by the new version, the report records the
 * run, and no child process is left.
 */
class DemoRetrainingIT {

  private static final int CAMERAS = 2;
  private static final int FRAMES = 24;

  /** Frames per camera the demo holds back until the run is decided: the last quarter. */
  private static final int HELD = FRAMES - FRAMES * 3 / 4;

  @Test
  void shouldRecordAPromotedRunAndEncodeTheHeldBackFramesWithItWhenRetrainingIsOn()
      throws Exception {
    Set<Long> childrenBefore = ChildProcesses.alive();
    Path dir =
        Files.createTempDirectory(
                Files.createDirectories(Paths.get("target", "tmp")), "demo-retraining-")
            .toAbsolutePath();
    Path models = dir.resolve("models");
    String champion = RetrainingIT.copyChampion(models, "demo-q2", 2).getFileName().toString();
    Path report = dir.resolve("report");
    List<Integer> ports = LoopbackPorts.findFree(3);
    // the trainer's classes for the child JVM: this module sees every module
    System.setProperty(
        "latentstream.trainer.classpath",
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));

    CommandRun demo =
        CommandRun.of(
            new DemoCommand(),
            "--models-dir",
            models.toString(),
            "--model",
            "demo",
            "--quality",
            "2",
            "--photos",
            RetrainingIT.root().resolve("data/photos").toString(),
            "--footage",
            dir.resolve("none").toString(),
            "--size",
            "96x80",
            "--cameras",
            Integer.toString(CAMERAS),
            "--frames",
            Integer.toString(FRAMES),
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
            "--retrain-steps",
            "300",
            "--trainer-set",
            "train.crop=64x64",
            "--trainer-set",
            "train.batch=4",
            "--trainer-set",
            "train.learning.rate=2e-3",
            "--trainer-set",
            "run.min.train.frames=10",
            "--trainer-set",
            "run.min.heldout.frames=2");

    assertThat(demo.exit()).as(demo.transcript()).isZero();
    JsonNode json = new ObjectMapper().readTree(report.resolve("report.json").toFile());
    int total = CAMERAS * FRAMES;
    assertThat(json.path("framesIn").asInt()).isEqualTo(total);
    assertThat(json.path("latentsOut").asInt()).isEqualTo(total);
    assertThat(json.path("dlqCount").asInt()).isZero();
    assertThat(json.path("retrainingRuns")).hasSize(1);
    JsonNode run = json.path("retrainingRuns").get(0);
    assertThat(run.path("status").asText()).as(run.toPrettyString()).isEqualTo("promoted");
    assertThat(run.path("steps").asInt()).isEqualTo(300);
    assertThat(run.path("durationSeconds").asDouble()).isPositive();
    assertThat(run.at("/champion/version").asText()).isEqualTo(champion);
    String challenger = run.at("/challenger/version").asText();
    assertThat(challenger).startsWith("demo-q2-").isNotEqualTo(champion);
    assertThat(run.at("/challenger/cost").asDouble())
        .isLessThan(run.at("/champion/cost").asDouble());
    assertThat(run.path("trainFrames").asInt()).isGreaterThanOrEqualTo(10);
    // the held-back frames, and nothing sampled for the run, are encoded by the promoted model
    assertThat(run.path("framesEncodedByChallenger").asInt())
        .isGreaterThanOrEqualTo(CAMERAS * HELD)
        .isLessThanOrEqualTo(
            total - run.path("trainFrames").asInt() - run.path("heldoutFrames").asInt());
    List<String> seen = new ArrayList<>();
    json.path("modelVersionsSeen").forEach(v -> seen.add(v.asText()));
    assertThat(seen).containsExactlyInAnyOrder(champion, challenger);
    assertThat(
            json.at("/framesPerModelVersion/" + champion).asInt()
                + json.at("/framesPerModelVersion/" + challenger).asInt())
        .isEqualTo(total);
    assertThat(demo.out()).contains("promoted", "switched to " + challenger, "demo: ok");
    assertThat(Files.readString(report.resolve("report.html"))).contains("Retraining", challenger);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(ChildProcesses.alive()).isSubsetOf(childrenBefore));
  }
}
