package io.latentstream.streams.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The live page's per-camera state stays bounded and consistent. */
class LiveStatsTest {

  @Test
  void shouldKeepOnlyTheLastPointsPerCameraWhenMoreFramesArrive() {
    LiveStats stats = new LiveStats(4, 5, 2);
    for (long seq = 0; seq < 12; seq++) {
      stats.record(
          "cam", seq, 1000 + seq, seq / 10.0, seq % 3 == 0 ? 30.0 + seq : null, "v" + seq, 64, 48);
    }
    LiveStats.CameraView cam = stats.snapshot().get(0);
    assertThat(cam.latestSequence()).isEqualTo(11);
    assertThat(cam.latestModelVersion()).isEqualTo("v11");
    assertThat(cam.frames()).isEqualTo(12);
    assertThat(cam.bpp())
        .extracting(LiveStats.Point::sequence)
        .containsExactly(7L, 8L, 9L, 10L, 11L);
    // PSNR was measured on 0, 3, 6, 9: the last two measurements, however old their frames
    assertThat(cam.psnr()).extracting(LiveStats.Point::sequence).containsExactly(6L, 9L);
    assertThat(cam.psnr()).extracting(LiveStats.Point::value).containsExactly(36.0, 39.0);
  }

  @Test
  void shouldEvictTheCameraSilentForLongestWhenTheCameraLimitIsReached() {
    LiveStats stats = new LiveStats(2, 3, 3);
    stats.record("a", 1, 1000, 0.5, null, "v", 8, 8);
    stats.record("b", 1, 2000, 0.5, null, "v", 8, 8);
    stats.record("a", 2, 3000, 0.5, null, "v", 8, 8);
    stats.record("c", 1, 4000, 0.5, null, "v", 8, 8);
    assertThat(stats.snapshot()).extracting(LiveStats.CameraView::camera).containsExactly("a", "c");
    assertThat(stats.evictedCameras()).isEqualTo(1);
  }

  @Test
  void shouldStayWithinItsBoundsWhileWritersAndReadersRunConcurrently() throws Exception {
    LiveStats stats = new LiveStats(8, 16, 4);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> writers =
          List.of(pool.submit(() -> write(stats, "w1")), pool.submit(() -> write(stats, "w2")));
      Future<?> reader =
          pool.submit(
              () -> {
                for (int i = 0; i < 2_000; i++) {
                  for (LiveStats.CameraView c : stats.snapshot()) {
                    assertThat(c.bpp()).hasSizeLessThanOrEqualTo(16);
                    assertThat(c.psnr()).hasSizeLessThanOrEqualTo(4);
                  }
                }
              });
      for (Future<?> w : writers) {
        w.get(30, TimeUnit.SECONDS);
      }
      reader.get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    assertThat(stats.snapshot()).hasSizeLessThanOrEqualTo(8);
  }

  private static void write(LiveStats stats, String prefix) {
    for (int i = 0; i < 20_000; i++) {
      stats.record(prefix + "-" + (i % 10), i, i, 0.1, i % 5 == 0 ? 30.0 : null, "v", 8, 8);
    }
  }
}
