package io.latentstream.codec.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.codec.metrics.QualityMetrics;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated cameras look like fixed cameras: one scene each, moving a little from frame to
 * frame.
 */
class CameraSimulatorTest {

  private static CameraSimulator frames;

  @BeforeAll
  static void load() throws Exception {
    frames = CameraSimulator.load(Paths.get("..", "data", "photos"), null, 160, 120, 3);
  }

  @Test
  void shouldProduceRgbFramesOfTheRequestedSizeWhenAsked() {
    PixelImage image = frames.image(1, 4);

    assertThat(image.width()).isEqualTo(160);
    assertThat(image.height()).isEqualTo(120);
    assertThat(image.format()).isEqualTo(PixelFormat.RGB24);
    assertThat(image.pixels()).hasSize(160 * 120 * 3);
  }

  @Test
  void shouldChangeALittleBetweenFramesAndShowDifferentScenesAcrossCamerasWhenFilming() {
    double sameCameraNext = QualityMetrics.psnr(frames.image(0, 3), frames.image(0, 4));
    double otherCamera = QualityMetrics.psnr(frames.image(0, 3), frames.image(1, 3));

    assertThat(frames.image(0, 3).pixels()).isNotEqualTo(frames.image(0, 4).pixels());
    assertThat(sameCameraNext).isGreaterThan(otherCamera);
  }

  @Test
  void shouldKeepTheCameraStillSoMostPixelsChangeOnlyByNoise() {
    byte[] a = frames.image(0, 10).pixels();
    byte[] b = frames.image(0, 11).pixels();
    int still = 0;
    for (int i = 0; i < a.length; i++) {
      still += Math.abs((a[i] & 0xff) - (b[i] & 0xff)) <= 6 ? 1 : 0;
    }
    assertThat(still)
        .as("samples within the noise of the previous frame")
        .isGreaterThan(a.length * 8 / 10);
  }

  @Test
  void shouldMakeTheSameFrameAgainWhenAskedTwice() {
    assertThat(frames.image(2, 7).pixels()).isEqualTo(frames.image(2, 7).pixels());
  }

  @Test
  void shouldPlayTheFootageInOrderOnTheLastCameraWhenFootageIsGiven(@TempDir Path footage)
      throws Exception {
    for (int i = 0; i < 2; i++) {
      byte[] px = new byte[32 * 24 * 3];
      java.util.Arrays.fill(px, (byte) (i == 0 ? 40 : 200));
      ImageFiles.writePng(
          new PixelImage(32, 24, PixelFormat.RGB24, px), footage.resolve("frame-000" + i + ".png"));
    }

    CameraSimulator withFootage =
        CameraSimulator.load(Paths.get("..", "data", "photos"), footage, 64, 48, 2);

    assertThat(withFootage.footageFrames()).isEqualTo(2);
    assertThat(withFootage.isFootage(1)).isTrue();
    assertThat(withFootage.isFootage(0)).isFalse();
    assertThat(withFootage.image(1, 0).width()).isEqualTo(64);
    assertThat(withFootage.image(1, 0).pixels()[0] & 0xff).isEqualTo(40);
    assertThat(withFootage.image(1, 1).pixels()[0] & 0xff).isEqualTo(200);
    assertThat(withFootage.image(1, 2).pixels())
        .isEqualTo(withFootage.image(1, 0).pixels()); // loops
    assertThat(withFootage.image(0, 0).pixels())
        .isEqualTo(
            CameraSimulator.load(Paths.get("..", "data", "photos"), null, 64, 48, 1)
                .image(0, 0)
                .pixels());
  }

  @Test
  void shouldFilmTheGivenPhotosRoundRobinWhenGivenAList() throws Exception {
    Path photos = Paths.get("..", "data", "photos", "train");
    CameraSimulator two =
        CameraSimulator.of(
            java.util.List.of(
                photos.resolve("skimage_chelsea.png"), photos.resolve("skimage_astronaut.png")),
            96,
            80,
            3);

    double sameScene = QualityMetrics.psnr(two.image(0, 1), two.image(2, 1));
    double otherScene = QualityMetrics.psnr(two.image(0, 1), two.image(1, 1));
    assertThat(two.image(1, 0).width()).isEqualTo(96);
    assertThat(sameScene).as("cameras 0 and 2 film the same photo").isGreaterThan(otherScene + 5);
  }

  @Test
  void shouldRefuseAFrameOfACameraItDoesNotHaveWhenAsked() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> frames.image(3, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
