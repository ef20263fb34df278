package io.latentstream.codec.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFlowRuntimeTest {
  @TempDir Path dir;

  @Test
  void shouldExplainWhereToPutNativesWhenTheyAreMissing() throws Exception {
    // A child JVM, since this one has already loaded TensorFlow.
    Path log = dir.resolve("child.log");
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Djava.library.path=" + dir,
            "-Dlatentstream.root=" + dir,
            "-Dlatentstream.models.dir=" + FixtureModels.modelsDir(),
            "-cp",
            System.getProperty("java.class.path"),
            "io.latentstream.codec.cli.CodecCli",
            "bench",
            "--size",
            "16x16",
            "--frames",
            "1",
            "--runs",
            "1");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .directory(dir.toFile());
    pb.environment().remove(TensorFlowRuntime.NATIVE_DIR_ENV);
    pb.environment().remove("TENSORFLOW_LIBRARY_PATH");
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = Files.readString(log);
    assertThat(p.exitValue()).as(output).isEqualTo(2);
    assertThat(output)
        .contains("libjnitensorflow.so")
        .contains(TensorFlowRuntime.NATIVE_DIR_PROPERTY)
        .contains(dir.toString())
        .doesNotContain("Exception in thread");
  }
}
