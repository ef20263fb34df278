package io.latentstream.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameReservoirTest {
  private static final long NOW = Instant.parse("2026-11-25T12:00:00Z").toEpochMilli();
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);

  static PixelImage image(int w, int h, int seed) {
    byte[] px = new byte[w * h * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * 7 + seed * 13);
    }
    return new PixelImage(w, h, PixelFormat.RGB24, px);
  }

  @Test
  void shouldSplitFramesTheSameWayAfterAReopenWhenTheDirectoryIsKept(@TempDir Path dir)
      throws Exception {
    FrameReservoir r = new FrameReservoir(dir, 100, 3_600_000, 0.25, 1024, CLOCK);
    for (int seq = 0; seq < 40; seq++) {
      r.add("cam/1", seq, NOW - 1000 + seq, image(32, 16, seq));
    }
    FrameReservoir.Snapshot before = r.snapshot();

    FrameReservoir reopened = new FrameReservoir(dir, 100, 3_600_000, 0.25, 1024, CLOCK);
    FrameReservoir.Snapshot after = reopened.snapshot();

    assertThat(before.trainCount() + before.heldoutCount()).isEqualTo(40);
    assertThat(before.heldoutCount()).isBetween(3, 20);
    assertThat(after.train().get("cam/1"))
        .extracting(FrameReservoir.Frame::sequence)
        .containsExactlyElementsOf(
            before.train().get("cam/1").stream().map(FrameReservoir.Frame::sequence).toList());
    assertThat(after.heldout().get("cam/1"))
        .extracting(FrameReservoir.Frame::sequence)
        .containsExactlyElementsOf(
            before.heldout().get("cam/1").stream().map(FrameReservoir.Frame::sequence).toList());
    assertThat(ImageFiles.read(after.train().get("cam/1").get(0).file()).pixels())
        .isEqualTo(image(32, 16, (int) after.train().get("cam/1").get(0).sequence()).pixels());
  }

  @Test
  void shouldKeepTheNewestFramesPerCameraWhenTheLimitIsReached(@TempDir Path dir) {
    FrameReservoir r = new FrameReservoir(dir, 5, 3_600_000, 0.2, 1024, CLOCK);
    for (int seq = 0; seq < 12; seq++) {
      r.add("a", seq, NOW - 100_000 + seq * 1000L, image(16, 16, seq));
      r.add("b", seq, NOW - 100_000 + seq * 1000L, image(16, 16, seq));
    }

    FrameReservoir.Snapshot s = r.snapshot();

    assertThat(r.size()).isEqualTo(10);
    for (String cam : List.of("a", "b")) {
      assertThat(
              Stream.concat(
                      s.train().getOrDefault(cam, List.of()).stream(),
                      s.heldout().getOrDefault(cam, List.of()).stream())
                  .map(FrameReservoir.Frame::sequence))
          .containsExactlyInAnyOrder(7L, 8L, 9L, 10L, 11L);
    }
  }

  @Test
  void shouldDropFramesOlderThanTheAgeLimitWhenTimePasses(@TempDir Path dir) throws Exception {
    FrameReservoir r = new FrameReservoir(dir, 100, 60_000, 0.2, 1024, CLOCK);
    r.add("a", 1, NOW - 50_000, image(16, 16, 1));
    r.add("a", 2, NOW - 10_000, image(16, 16, 2));
    assertThat(r.add("a", 0, NOW - 70_000, image(16, 16, 0))).isNull();

    FrameReservoir later =
        new FrameReservoir(
            dir, 100, 60_000, 0.2, 1024, Clock.offset(CLOCK, java.time.Duration.ofSeconds(20)));

    assertThat(later.size()).isEqualTo(1);
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile).count()).isEqualTo(1);
    }
  }

  @Test
  void shouldStoreAFrameReadTwiceOnceWhenTheSameSequenceArrivesAgain(@TempDir Path dir) {
    FrameReservoir r = new FrameReservoir(dir, 100, 3_600_000, 0.5, 1024, CLOCK);
    r.add("a", 3, NOW, image(16, 16, 1));
    r.add("a", 3, NOW, image(16, 16, 1));

    assertThat(r.size()).isEqualTo(1);
  }

  @Test
  void shouldDownscaleLargeFramesWhenStored(@TempDir Path dir) throws Exception {
    FrameReservoir r = new FrameReservoir(dir, 100, 3_600_000, 0.5, 64, CLOCK);
    FrameReservoir.Frame f = r.add("a", 1, NOW, image(256, 128, 1));

    PixelImage stored = ImageFiles.read(f.file());
    assertThat(stored.width()).isEqualTo(64);
    assertThat(stored.height()).isEqualTo(32);
  }

  @Test
  void shouldCopyASnapshotThatLaterEvictionsDoNotTouchWhenARunStarts(@TempDir Path dir)
      throws Exception {
    FrameReservoir r = new FrameReservoir(dir.resolve("reservoir"), 3, 3_600_000, 0.3, 1024, CLOCK);
    for (int seq = 0; seq < 3; seq++) {
      r.add("a", seq, NOW - 10_000 + seq, image(16, 16, seq));
    }
    FrameReservoir.Snapshot copy = r.copyTo(dir.resolve("run"));
    for (int seq = 3; seq < 6; seq++) {
      r.add("a", seq, NOW - 10_000 + seq, image(16, 16, seq));
    }

    assertThat(copy.trainCount() + copy.heldoutCount()).isEqualTo(3);
    Stream.concat(copy.train().values().stream(), copy.heldout().values().stream())
        .flatMap(List::stream)
        .forEach(f -> assertThat(f.file()).exists().startsWith(dir.resolve("run")));
  }

  @Test
  void shouldKeepAVeryLongCameraIdAcrossAReopenWhenItCannotBeAFileName(@TempDir Path dir) {
    String camera = "site-7/" + "x".repeat(300);
    new FrameReservoir(dir, 100, 3_600_000, 0.5, 1024, CLOCK).add(camera, 1, NOW, image(16, 16, 1));

    FrameReservoir.Snapshot s =
        new FrameReservoir(dir, 100, 3_600_000, 0.5, 1024, CLOCK).snapshot();

    assertThat(Stream.concat(s.train().keySet().stream(), s.heldout().keySet().stream()))
        .containsExactly(camera);
  }
}
