package io.latentstream.streams.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.image.CameraSimulator;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.PixelFormat;
import java.nio.ByteBuffer;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every frame of a run is accounted for once: latents by camera and sequence, duplicates and strays
 * apart.
 */
class FrameTallyTest {

  private static CameraFeed feed;

  @BeforeAll
  static void load() throws Exception {
    feed =
        new CameraFeed(
            CameraSimulator.load(Paths.get("..", "data", "photos"), null, 32, 24, 2), "t-cam-", 3);
  }

  @Test
  void shouldCountEachFrameOnceAndKeepItsBytesWhenLatentsArrive() {
    FrameTally tally = new FrameTally(feed, Instant.ofEpochMilli(1000));

    assertThat(tally.latent(latent("t-cam-1", 0, FrameType.KEY, 50, 1000))).isEqualTo(1);
    assertThat(tally.latent(latent("t-cam-1", 1, FrameType.DELTA, 7, 1001))).isEqualTo(3);
    assertThat(tally.latent(latent("t-cam-1", 1, FrameType.DELTA, 7, 1001)))
        .as("a second copy")
        .isEqualTo(-1);
    assertThat(tally.latent(latent("t-cam-2", 0, FrameType.KEY, 9, 1001)))
        .as("no such camera")
        .isEqualTo(-1);
    assertThat(tally.latent(latent("t-cam-0", 3, FrameType.KEY, 9, 1001)))
        .as("past the run")
        .isEqualTo(-1);
    assertThat(tally.latent(latent("t-cam-0", 0, FrameType.KEY, 9, 999)))
        .as("an earlier run's")
        .isEqualTo(-1);

    assertThat(tally.latents()).isEqualTo(2);
    assertThat(tally.duplicates()).isEqualTo(1);
    assertThat(tally.foreign()).isEqualTo(3);
    assertThat(tally.latentBytes()).isEqualTo(57);
    assertThat(tally.keyBytes()).isEqualTo(50);
    assertThat(tally.keyFrames()).isEqualTo(1);
    assertThat(tally.bytesPerFrame().get("t-cam-1")).containsExactly(50, 7, 0);
    assertThat(tally.keyFramePerFrame().get("t-cam-1")).containsExactly(true, false, false);
    assertThat(tally.complete()).isFalse();
  }

  @Test
  void shouldBeCompleteWhenEveryFrameIsALatentOrADeadLetter() {
    FrameTally tally = new FrameTally(feed, null);
    for (int seq = 0; seq < 3; seq++) {
      tally.latent(latent("t-cam-0", seq, FrameType.KEY, 1, 0));
    }
    tally.latent(latent("t-cam-1", 0, FrameType.KEY, 1, 0));
    tally.deadLetter();
    assertThat(tally.complete()).isFalse();

    tally.deadLetter();

    assertThat(tally.complete()).isTrue();
    assertThat(List.of(tally.latents(), tally.deadLetters())).containsExactly(4, 2);
  }

  private static LatentFrame latent(
      String camera, long seq, FrameType type, int bytes, long captureMillis) {
    return LatentFrame.newBuilder()
        .setCameraId(camera)
        .setSequence(seq)
        .setCaptureTime(Instant.ofEpochMilli(captureMillis))
        .setEncodeTime(Instant.ofEpochMilli(captureMillis))
        .setOriginalWidth(32)
        .setOriginalHeight(24)
        .setOriginalFormat(PixelFormat.RGB24)
        .setModelName("m")
        .setModelVersion("m-1")
        .setBitstream(ByteBuffer.wrap(new byte[bytes]))
        .setBpp(8.0 * bytes / (32 * 24))
        .setFrameType(type)
        .build();
  }
}
