package io.latentstream.trainer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FootageSplitTest {

  @Test
  void shouldOrderFramesByTheirNumberNotByName(@TempDir Path dir) throws Exception {
    for (String name :
        List.of("frame-10.png", "frame-9.png", "frame-100.png", "frame-1.png", "notes.txt")) {
      Files.writeString(dir.resolve(name), "x");
    }
    assertThat(FootageSplit.listFrames(dir))
        .extracting(p -> p.getFileName().toString())
        .containsExactly("frame-1.png", "frame-9.png", "frame-10.png", "frame-100.png");
  }

  @Test
  void shouldHoldOutOnlyFramesLaterThanTheGapAfterEveryTrainingFrame() {
    List<Path> frames = frames(795);
    FootageSplit split = FootageSplit.of(frames, 400, 2, 100, 40);

    assertThat(split.train()).hasSize(200).startsWith(0, 2).allMatch(i -> i < 400);
    assertThat(split.heldout())
        .hasSize(40)
        .doesNotHaveDuplicates()
        .allMatch(i -> i >= 500 && i < 795);
    assertThat(split.heldout()).startsWith(500).endsWith(794).isSorted();
    Set<Integer> overlap = new HashSet<>(split.train());
    overlap.retainAll(split.heldout());
    assertThat(overlap).isEmpty();
    assertThat(split.trainFiles().get(1)).isEqualTo(frames.get(2));
  }

  @Test
  void shouldRefuseASequenceTooShortForThePeriodsAskedFor() {
    assertThatThrownBy(() -> FootageSplit.of(frames(50), 40, 1, 5, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("leave 5");
    assertThat(FootageSplit.of(frames(50), 40, 1, 5, 5).heldout())
        .containsExactly(45, 46, 47, 48, 49);
  }

  private static List<Path> frames(int n) {
    List<Path> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(Path.of(String.format("frame-%04d.png", i)));
    }
    return out;
  }
}
