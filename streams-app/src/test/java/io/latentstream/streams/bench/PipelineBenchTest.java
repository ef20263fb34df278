package io.latentstream.streams.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PipelineBenchTest {

  private final StringWriter stderr = new StringWriter();

  private int run(String... args) {
    return new CommandLine(new PipelineBench())
        .setOut(new PrintWriter(new StringWriter()))
        .setErr(new PrintWriter(stderr))
        .execute(args);
  }

  @Test
  void shouldExitWithUsageErrorWhenSizeIsNotWidthByHeight() {
    assertThat(run("--size", "640-480")).isEqualTo(2);
    assertThat(stderr.toString()).contains("--size must be WIDTHxHEIGHT");
  }

  @Test
  void shouldExitWithUsageErrorWhenBootstrapComesWithoutRegistry() {
    assertThat(run("--bootstrap", "127.0.0.1:9092")).isEqualTo(2);
    assertThat(stderr.toString()).contains("--bootstrap and --registry go together");
  }

  @Test
  void shouldExitWithUsageErrorWhenARunWouldHoldFewerThanTwoFrames() {
    assertThat(run("--cameras", "1", "--frames", "1")).isEqualTo(2);
    assertThat(stderr.toString()).contains("two frames per run");
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
