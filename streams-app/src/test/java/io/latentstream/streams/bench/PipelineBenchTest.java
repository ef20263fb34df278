package io.latentstream.streams.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PipelineBenchTest {

  private final StringWriter stderr = new StringWriter();

  private int run(String... args) {
    return new CommandLine(new PipelineBench()).setOut(new PrintWriter(new StringWriter()))
        .setErr(new PrintWriter(stderr)).execute(args);
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
}
