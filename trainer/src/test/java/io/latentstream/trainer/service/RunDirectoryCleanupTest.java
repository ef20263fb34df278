package io.latentstream.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the trainer leaves of its runs on disk: run.json of the last runs, no scratch, reservoir
 * frames intact.
 */
class RunDirectoryCleanupTest {
  @TempDir Path dir;

  @Test
  void shouldKeepOnlyTheRecordsOfTheLastRunsAndNeverTheReservoirsFrames() throws IOException {
    Path reservoir = Files.createDirectories(dir.resolve("reservoir"));
    Path frame = Files.write(reservoir.resolve("frame-1.png"), new byte[] {1, 2, 3});
    Path work = dir.resolve("work");
    for (int i = 0; i < 23; i++) {
      Path run =
          Files.createDirectories(work.resolve(String.format("run-20261205T1000%02d-001", i)));
      Files.writeString(run.resolve("run.json"), "{}");
      Path train = Files.createDirectories(run.resolve("data").resolve("train"));
      Files.createLink(train.resolve("frame-1.png"), frame); // as FrameReservoir.copyTo links them
      Files.write(
          Files.createDirectories(run.resolve("train")).resolve("checkpoint.bin"), new byte[1024]);
    }

    TrainerService.pruneRunDirectories(work);

    List<Path> runs;
    try (Stream<Path> list = Files.list(work)) {
      runs = list.sorted().toList();
    }
    assertThat(runs).hasSize(20);
    assertThat(runs.get(0).getFileName().toString())
        .isEqualTo("run-20261205T100003-001"); // oldest three gone
    assertThat(runs)
        .allSatisfy(
            run -> {
              assertThat(run.resolve("run.json")).isRegularFile();
              assertThat(run.resolve("data")).doesNotExist();
              assertThat(run.resolve("train")).doesNotExist();
            });
    assertThat(frame).isRegularFile().hasBinaryContent(new byte[] {1, 2, 3});
    assertThat(Files.getAttribute(frame, "unix:nlink")).isEqualTo(1);
  }
}
