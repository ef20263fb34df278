package io.latentstream.streams.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.testkit.ChildProcesses;
import io.latentstream.testkit.CommandRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 6, the command itself: {@code bench-pipeline} on its own local broker and registry,
 * with the fixture model on tiny frames, measures both sides, counts every frame, writes the JSON
 * report, and leaves no child JVM behind.
 */
class PipelineBenchIT {

  @TempDir Path dir;

  @Test
  void shouldReportCodecAndPipelineFiguresAndStopItsPlatformWhenRunEndToEnd() throws Exception {
    Set<Long> childrenBefore = ChildProcesses.alive();
    Path out = dir.resolve("bench-pipeline.json");
    Path model = FixtureModels.level(2);

    // two frames in flight: the fixture codec runs thousands of tiny frames a second, so by default
    // all 30 would be
    // sent at once, arrive in one commit, and leave a measurement window of microseconds; with two,
    // the timed
    // frames span several transactions
    CommandRun bench =
        CommandRun.of(
            new PipelineBench(),
            "--model",
            model.toString(),
            "--size",
            "64x48",
            "--cameras",
            "2",
            "--frames",
            "15",
            "--runs",
            "1",
            "--in-flight",
            "2",
            "--out",
            out.toString());

    assertThat(bench.exit()).as(bench.err()).isZero();
    assertThat(bench.out()).contains("median");
    JsonNode json = new ObjectMapper().readTree(out.toFile());
    assertThat(json.path("model").asText()).isEqualTo(model.getFileName().toString());
    assertThat(json.path("frameSize").asText()).isEqualTo("64x48");
    assertThat(json.path("framesPerRun").asInt()).isEqualTo(30);
    assertThat(json.path("machine").path("cores").asInt()).isPositive();
    assertThat(json.path("machine").path("javaVersion").asText()).isNotBlank();
    assertThat(json.path("machine").path("cpuModel").asText()).isNotBlank();
    assertThat(json.path("settings").path("processing.guarantee").asText())
        .isEqualTo("exactly_once_v2");
    JsonNode run = json.path("rawRuns").get(0);
    assertThat(json.path("rawRuns").size()).isEqualTo(1);
    assertThat(run.path("framesSent").asInt()).isEqualTo(30);
    assertThat(run.path("framesReceived").asInt()).isEqualTo(30);
    assertThat(run.path("duplicates").asInt()).isZero();
    // the codec loop ran right before and right after the run; the run is compared with both taken
    // as one
    double before = run.path("codecFpsBefore").asDouble();
    double after = run.path("codecFpsAfter").asDouble();
    assertThat(before).isPositive();
    assertThat(after).isPositive();
    assertThat(run.path("codecFps").asDouble())
        .isCloseTo(2 / (1 / before + 1 / after), org.assertj.core.data.Offset.offset(1e-9));
    JsonNode median = json.path("median");
    assertThat(median.path("codecFps").asDouble()).isPositive();
    assertThat(median.path("pipelineFps").asDouble()).isPositive();
    assertThat(median.path("ratio").asDouble())
        .isPositive()
        .isCloseTo(
            median.path("pipelineFps").asDouble() / median.path("codecFps").asDouble(),
            org.assertj.core.data.Offset.offset(1e-9));
    assertThat(median.path("cpuRatio").asDouble()).isPositive();
    assertThat(run.path("pipelineCpu").path("selfCpuMsPerFrame").asDouble()).isPositive();
    // where the time went: the stream thread's wall time per frame splits into encode, Kafka and
    // the rest
    JsonNode thread = run.path("streamThread");
    assertThat(thread.path("encodeMsPerFrame").asDouble()).isPositive();
    // a frame is visible only once its transaction commits, and at most two are in flight: commits
    // in the window
    assertThat(thread.path("commitMsPerFrame").asDouble()).isPositive();
    // blocked time includes the commits and the poll waits; tiny frames can leave a window of
    // microseconds, so only
    // the order of the snapshots keeps this true (the 1e-9 ms: rounding of sums of counters near
    // 1e11 ns)
    assertThat(thread.path("blockedOnKafkaMsPerFrame").asDouble() + 1e-9)
        .isGreaterThanOrEqualTo(
            thread.path("commitMsPerFrame").asDouble()
                + thread.path("pollWaitMsPerFrame").asDouble());
    assertThat(thread.path("wallMsPerFrame").asDouble())
        .isCloseTo(
            thread.path("encodeMsPerFrame").asDouble()
                + thread.path("blockedOnKafkaMsPerFrame").asDouble()
                + thread.path("otherMsPerFrame").asDouble(),
            org.assertj.core.data.Offset.offset(1e-6));
    assertThat(
            json.path("medianBreakdown")
                .path("pipelineCpu")
                .path("childrenCpuMsPerFrame")
                .isNumber())
        .isTrue();
    assertThat(run.path("pipelineCpu").path("tensorflowThreadsCpuMsPerFrame").isNumber()).isTrue();
    assertThat(bench.out()).contains("CPU ms per frame").contains("Stream thread ms per frame");
    assertThat(median.path("latencyP50Ms").asDouble())
        .isPositive()
        .isLessThanOrEqualTo(median.path("latencyP99Ms").asDouble());
    // the same frames through the per-frame pipeline (a KEY frame every frame) in the same run,
    // side by side
    assertThat(run.path("perFrameFramesReceived").asInt()).isEqualTo(30);
    assertThat(run.path("perFrameDuplicates").asInt()).isZero();
    assertThat(run.path("perFrameKeyFrames").asInt()).isEqualTo(30);
    assertThat(run.path("keyFrames").asInt())
        .as("one KEY frame per camera, then DELTA frames")
        .isEqualTo(2);
    assertThat(median.path("temporalOverPerFrame").asDouble())
        .isCloseTo(
            run.path("pipelineFps").asDouble() / run.path("perFramePipelineFps").asDouble(),
            org.assertj.core.data.Offset.offset(1e-9));
    assertThat(run.path("perFrameCpuOverTemporalCpu").asDouble())
        .isCloseTo(
            run.path("perFrameAppCpuMsPerFrame").asDouble()
                / run.path("appCpuMsPerFrame").asDouble(),
            org.assertj.core.data.Offset.offset(1e-9));
    assertThat(run.path("perFrameAppCpuMsPerFrame").asDouble()).isPositive();
    // the fixed cameras cost a fraction of per-frame coding at the same quality, decoded from their
    // chains
    JsonNode quality = json.path("lastRunBytesAndQuality");
    assertThat(quality.path("bytesRatio").asDouble()).isLessThan(0.5);
    assertThat(quality.path("psnr").asDouble())
        .isCloseTo(
            quality.path("perFramePsnr").asDouble(), org.assertj.core.data.Offset.offset(0.3));
    assertThat(bench.out()).contains("key/delta vs per-frame");
    // random access through the real endpoint against one KEY decode, and the bytes a failover
    // costs
    assertThat(run.path("randomAccessRequests").asInt()).isPositive();
    assertThat(run.path("randomAccessMedianMs").asDouble()).isPositive();
    assertThat(run.path("keyDecodeMedianMs").asDouble()).isPositive();
    assertThat(run.path("chainChangelogRecords").asInt())
        .as("a chain position per frame")
        .isEqualTo(30);
    assertThat(run.path("chainStateBytesPerCamera").asDouble()).isPositive().isLessThan(200);
    assertThat(run.path("failoverBytesPerMovedCamera").asDouble())
        .isGreaterThan(
            run.path("keyFrameBytesMean").asDouble() - run.path("deltaFrameBytesMean").asDouble());
    // the broker and the registry were child JVMs of this one: all gone
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(ChildProcesses.alive()).isSubsetOf(childrenBefore));
  }
}
