package io.latentstream.streams.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.QualityMetrics;
import java.nio.file.Paths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The simulated cameras look like fixed cameras: one scene each, moving a little from frame to frame. */
class CameraFramesTest {

  private static CameraFrames frames;

  @BeforeAll
  static void load() throws Exception {
    frames = CameraFrames.load(Paths.get("..", "data", "photos"), 160, 120, 3, 10);
  }

  @Test
  void shouldProduceRgbFramesOfTheRequestedSizeWhenAsked() {
    PixelImage image = frames.image(1, 4);

    assertThat(image.width()).isEqualTo(160);
    assertThat(image.height()).isEqualTo(120);
    assertThat(image.format()).isEqualTo(PixelFormat.RGB24);
    assertThat(frames.record(1, 4, java.time.Instant.EPOCH).getPixels().remaining()).isEqualTo(160 * 120 * 3);
  }

  @Test
  void shouldMoveSlightlyBetweenFramesAndShowDifferentScenesAcrossCamerasWhenFilming() {
    double sameCameraNext = QualityMetrics.psnr(frames.image(0, 3), frames.image(0, 4));
    double otherCamera = QualityMetrics.psnr(frames.image(0, 3), frames.image(1, 3));

    assertThat(frames.image(0, 3).pixels()).isNotEqualTo(frames.image(0, 4).pixels());
    assertThat(sameCameraNext).isGreaterThan(otherCamera);
  }

  @Test
  void shouldMakeTheSameFrameAgainWhenAskedTwice() {
    assertThat(frames.image(2, 7).pixels()).isEqualTo(frames.image(2, 7).pixels());
  }

  @Test
  void shouldRecogniseItsOwnCameraIdsOnlyWhenParsing() {
    assertThat(CameraFrames.cameraIndex(CameraFrames.cameraId(3))).isEqualTo(3);
    assertThat(CameraFrames.cameraIndex("bench-cam-3")).isEqualTo(-1);
    assertThat(CameraFrames.cameraIndex("demo-cam-x")).isEqualTo(-1);
  }
}
