package io.latentstream.trainer.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decides whether a challenger replaces the champion: its mean cost on the held-out frames ({@link
 * CodecEvaluation.Score#cost}) must be lower than the champion's by at least {@code minImprovement}
 * (a fraction: 0.02 = 2 %; a negative value accepts a slightly worse model, for tests), and no
 * camera's cost may rise by more than {@code cameraTolerance} (a fraction), so a model that helps
 * most cameras while breaking one is refused. A non-finite cost (a model that diverged) is never
 * promoted. Immutable and thread-safe.
 */
public record PromotionGate(double lambda, double minImprovement, double cameraTolerance) {

  /** The outcome and, always, the reason in words. */
  public record Decision(
      boolean promote,
      String reason,
      double championCost,
      double challengerCost,
      double improvement) {}

  public Decision decide(CodecEvaluation.Result champion, CodecEvaluation.Result challenger) {
    double before = champion.overall().cost(lambda);
    double after = challenger.overall().cost(lambda);
    double improvement = (before - after) / before;
    String costs =
        String.format(
            Locale.ROOT,
            "cost %.5f -> %.5f (%+.2f%%; bpp %.4f -> %.4f, PSNR %.2f -> %.2f dB," + " lambda %.4g)",
            before,
            after,
            -100 * improvement,
            champion.overall().bpp(),
            challenger.overall().bpp(),
            champion.overall().psnr(),
            challenger.overall().psnr(),
            lambda);
    if (!Double.isFinite(after) || !Double.isFinite(before)) {
      return new Decision(false, "non-finite cost: " + costs, before, after, improvement);
    }
    if (improvement < minImprovement) {
      return new Decision(
          false,
          String.format(
              Locale.ROOT,
              "not enough improvement: %s; at least %.2f%% needed",
              costs,
              100 * minImprovement),
          before,
          after,
          improvement);
    }
    List<String> worse = new ArrayList<>();
    for (Map.Entry<String, CodecEvaluation.Score> e : challenger.perCamera().entrySet()) {
      CodecEvaluation.Score old = champion.perCamera().get(e.getKey());
      if (old == null) {
        continue;
      }
      double c0 = old.cost(lambda);
      double c1 = e.getValue().cost(lambda);
      if (!(c1 <= c0 * (1 + cameraTolerance))) {
        worse.add(
            String.format(
                Locale.ROOT,
                "%s %.5f -> %.5f (%+.2f%%)",
                e.getKey(),
                c0,
                c1,
                100 * (c1 - c0) / c0));
      }
    }
    if (!worse.isEmpty()) {
      return new Decision(
          false,
          String.format(
              Locale.ROOT,
              "camera(s) worse beyond the %.2f%% tolerance: %s;" + " overall %s",
              100 * cameraTolerance,
              String.join(", ", worse),
              costs),
          before,
          after,
          improvement);
    }
    return new Decision(true, "promoted: " + costs, before, after, improvement);
  }
}
