package io.latentstream.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PromotionGateTest {
  private static final double LAMBDA = 0.01;

  private static CodecEvaluation.Result result(double bppA, double mseA, double bppB, double mseB) {
    CodecEvaluation.Score a = new CodecEvaluation.Score(5, bppA, mseA, 30);
    CodecEvaluation.Score b = new CodecEvaluation.Score(5, bppB, mseB, 30);
    return new CodecEvaluation.Result(
        "v",
        Map.of("a", a, "b", b),
        new CodecEvaluation.Score(10, (bppA + bppB) / 2, (mseA + mseB) / 2, 30));
  }

  @Test
  void shouldPromoteWhenEveryCameraGetsCheaper() {
    PromotionGate.Decision d =
        new PromotionGate(LAMBDA, 0.02, 0.05)
            .decide(result(1.0, 50, 1.0, 50), result(0.8, 45, 0.9, 48));

    assertThat(d.promote()).isTrue();
    assertThat(d.improvement()).isGreaterThan(0.02);
    assertThat(d.reason()).startsWith("promoted");
  }

  @Test
  void shouldKeepTheChampionWhenTheImprovementIsBelowTheMargin() {
    PromotionGate.Decision d =
        new PromotionGate(LAMBDA, 0.05, 0.05)
            .decide(result(1.0, 50, 1.0, 50), result(0.98, 50, 0.98, 50));

    assertThat(d.promote()).isFalse();
    assertThat(d.reason()).contains("not enough improvement").contains("5.00% needed");
  }

  @Test
  void shouldKeepTheChampionWhenOneCameraGetsWorseBeyondTheTolerance() {
    PromotionGate.Decision d =
        new PromotionGate(LAMBDA, 0.02, 0.05)
            .decide(result(1.0, 50, 1.0, 50), result(0.5, 20, 1.2, 55));

    assertThat(d.promote()).isFalse();
    assertThat(d.reason()).contains("camera(s) worse").contains("b ");
  }

  @Test
  void shouldNeverPromoteWhenTheChallengerCostIsNotFinite() {
    PromotionGate.Decision d =
        new PromotionGate(LAMBDA, -10, 100)
            .decide(result(1.0, 50, 1.0, 50), result(Double.NaN, 50, 1.0, 50));

    assertThat(d.promote()).isFalse();
    assertThat(d.reason()).contains("non-finite");
  }

  @Test
  void shouldAcceptASlightlyWorseChallengerWhenTheMarginIsNegative() {
    PromotionGate.Decision d =
        new PromotionGate(LAMBDA, -0.5, 1.0)
            .decide(result(1.0, 50, 1.0, 50), result(1.1, 52, 1.1, 52));

    assertThat(d.promote()).isTrue();
  }
}
