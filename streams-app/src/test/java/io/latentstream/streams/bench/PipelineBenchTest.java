package io.latentstream.streams.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.testkit.CommandRun;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineBenchTest {

  private static CommandRun run(String... args) {
    return CommandRun.of(new PipelineBench(), args);
  }

  @Test
  void shouldExitWithUsageErrorWhenSizeIsNotWidthByHeight() {
    CommandRun run = run("--size", "640-480");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--size must be WIDTHxHEIGHT");
  }

  @Test
  void shouldExitWithUsageErrorWhenBootstrapComesWithoutRegistry() {
    CommandRun run = run("--bootstrap", "127.0.0.1:9092");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--bootstrap and --registry go together");
  }

  @Test
  void shouldExitWithUsageErrorWhenARunWouldHoldFewerThanTwoFrames() {
    CommandRun run = run("--cameras", "1", "--frames", "1");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("two frames per run");
  }

  @Test
  void shouldReportTheMedianOfEachBreakdownFigureOverTheRuns() {
    List<Map<String, Object>> runs =
        List.of(
            Map.of(
                "codecCpu",
                Map.of("selfCpuMsPerFrame", 70.0),
                "pipelineCpu",
                Map.of("childrenCpuMsPerFrame", 20.0),
                "streamThread",
                Map.of("commitMsPerFrame", 9.0)),
            Map.of(
                "codecCpu",
                Map.of("selfCpuMsPerFrame", 90.0),
                "pipelineCpu",
                Map.of("childrenCpuMsPerFrame", 10.0),
                "streamThread",
                Map.of("commitMsPerFrame", 1.0)),
            Map.of(
                "codecCpu",
                Map.of("selfCpuMsPerFrame", 80.0),
                "pipelineCpu",
                Map.of("childrenCpuMsPerFrame", 30.0),
                "streamThread",
                Map.of("commitMsPerFrame", 5.0)));

    Map<String, Object> b = PipelineBench.breakdown(runs);

    assertThat(b.get("codecCpu")).isEqualTo(Map.of("selfCpuMsPerFrame", 80.0));
    assertThat(b.get("pipelineCpu")).isEqualTo(Map.of("childrenCpuMsPerFrame", 20.0));
    assertThat(b.get("streamThread")).isEqualTo(Map.of("commitMsPerFrame", 5.0));
  }
}
