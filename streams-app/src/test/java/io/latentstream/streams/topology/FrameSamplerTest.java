package io.latentstream.streams.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FrameSamplerTest {

  @Test
  void shouldSampleEveryCameraAtTheConfiguredRateWhenSequencesAreConsecutive() {
    for (double rate : new double[] {0.02, 0.1, 0.25}) {
      for (int cam = 0; cam < 20; cam++) {
        String camera = "cam-" + cam;
        int hits = 0;
        int n = 4000;
        for (long seq = 0; seq < n; seq++) {
          if (FrameSampler.selected("sample", camera, seq, rate)) {
            hits++;
          }
        }
        double expected = rate * n;
        // binomial: 5 standard deviations either side
        double tolerance = 5 * Math.sqrt(n * rate * (1 - rate));
        assertThat((double) hits)
            .as("camera %s at rate %s", camera, rate)
            .isBetween(expected - tolerance, expected + tolerance);
      }
    }
  }

  @Test
  void shouldChooseShortRunsFairlyWhenACameraHasFewFrames() {
    // the case that exposed plain murmur2: 24 consecutive frames at rate 0.25 must not all miss
    for (int cam = 0; cam < 50; cam++) {
      int hits = 0;
      for (long seq = 0; seq < 24; seq++) {
        if (FrameSampler.selected("split", "cam-" + cam, seq, 0.25)) {
          hits++;
        }
      }
      assertThat(hits).as("cam-%s", cam).isBetween(1, 14);
    }
  }

  @Test
  void shouldKeepSelectionsWithDifferentSaltsIndependent() {
    int both = 0;
    int n = 20000;
    for (long seq = 0; seq < n; seq++) {
      if (FrameSampler.selected("sample", "cam-1", seq, 0.5)
          && FrameSampler.selected("psnr", "cam-1", seq, 0.5)) {
        both++;
      }
    }
    assertThat((double) both)
        .isBetween(n * 0.25 - 5 * Math.sqrt(n * 0.1875), n * 0.25 + 5 * Math.sqrt(n * 0.1875));
  }
}
