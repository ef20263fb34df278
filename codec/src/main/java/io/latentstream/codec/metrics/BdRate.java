package io.latentstream.codec.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Bjøntegaard delta rate: the average bitrate difference in percent of a test curve against an
 * anchor at equal PSNR. As in the usual definition (VCEG-M33, and its piecewise-cubic update used
 * by CompressAI and JVET tools): log-rate is interpolated as a function of PSNR (monotone
 * piecewise-cubic Hermite, Fritsch-Carlson), both curves are integrated over their overlapping PSNR
 * range, and {@code (exp(mean difference) - 1) * 100} is the result. Negative means the test codec
 * needs fewer bits. Stateless, thread-safe.
 */
public final class BdRate {
  private BdRate() {}

  /** One rate-distortion point. */
  public record Point(double bpp, double psnr) {}

  /**
   * @return BD-rate in percent, or NaN when either curve has fewer than two distinct points or the
   *     PSNR ranges do not overlap
   */
  public static double percent(List<Point> anchor, List<Point> test) {
    double[][] a = curve(anchor);
    double[][] t = curve(test);
    if (a == null || t == null) {
      return Double.NaN;
    }
    double lo = Math.max(a[0][0], t[0][0]);
    double hi = Math.min(a[0][a[0].length - 1], t[0][t[0].length - 1]);
    if (!(hi > lo)) {
      return Double.NaN;
    }
    double avg = (integrate(a, lo, hi) - integrate(t, lo, hi)) / (hi - lo);
    return (Math.exp(-avg) - 1) * 100;
  }

  /** Sorted by PSNR, duplicates in PSNR dropped; x = PSNR, y = ln(rate). */
  private static double[][] curve(List<Point> points) {
    List<Point> sorted = new ArrayList<>();
    for (Point p : points) {
      if (p.bpp() > 0 && Double.isFinite(p.psnr()) && Double.isFinite(p.bpp())) {
        sorted.add(p);
      }
    }
    sorted.sort(Comparator.comparingDouble(Point::psnr));
    List<Point> unique = new ArrayList<>();
    for (Point p : sorted) {
      if (unique.isEmpty() || p.psnr() > unique.get(unique.size() - 1).psnr()) {
        unique.add(p);
      }
    }
    if (unique.size() < 2) {
      return null;
    }
    double[] x = new double[unique.size()];
    double[] y = new double[unique.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = unique.get(i).psnr();
      y[i] = Math.log(unique.get(i).bpp());
    }
    return new double[][] {x, y, slopes(x, y)};
  }

  /** Fritsch-Carlson monotone slopes. */
  private static double[] slopes(double[] x, double[] y) {
    int n = x.length;
    double[] d = new double[n];
    double[] delta = new double[n - 1];
    for (int i = 0; i < n - 1; i++) {
      delta[i] = (y[i + 1] - y[i]) / (x[i + 1] - x[i]);
    }
    if (n == 2) {
      d[0] = delta[0];
      d[1] = delta[0];
      return d;
    }
    for (int i = 1; i < n - 1; i++) {
      if (delta[i - 1] * delta[i] <= 0) {
        d[i] = 0;
      } else {
        double h0 = x[i] - x[i - 1];
        double h1 = x[i + 1] - x[i];
        double w1 = 2 * h1 + h0;
        double w2 = h1 + 2 * h0;
        d[i] = (w1 + w2) / (w1 / delta[i - 1] + w2 / delta[i]);
      }
    }
    d[0] = endSlope(x[1] - x[0], x[2] - x[1], delta[0], delta[1]);
    d[n - 1] = endSlope(x[n - 1] - x[n - 2], x[n - 2] - x[n - 3], delta[n - 2], delta[n - 3]);
    return d;
  }

  private static double endSlope(double h0, double h1, double m0, double m1) {
    double d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
    if (Math.signum(d) != Math.signum(m0)) {
      return 0;
    }
    if (Math.signum(m0) != Math.signum(m1) && Math.abs(d) > Math.abs(3 * m0)) {
      return 3 * m0;
    }
    return d;
  }

  private static double eval(double[][] c, double v) {
    double[] x = c[0];
    double[] y = c[1];
    double[] d = c[2];
    int i = 0;
    while (i < x.length - 2 && v > x[i + 1]) {
      i++;
    }
    double h = x[i + 1] - x[i];
    double t = (v - x[i]) / h;
    double t2 = t * t;
    double t3 = t2 * t;
    return (2 * t3 - 3 * t2 + 1) * y[i]
        + (t3 - 2 * t2 + t) * h * d[i]
        + (-2 * t3 + 3 * t2) * y[i + 1]
        + (t3 - t2) * h * d[i + 1];
  }

  /**
   * Composite Simpson over [lo, hi]; the interpolant is smooth enough that 2000 panels are exact to
   * ~1e-9.
   */
  private static double integrate(double[][] c, double lo, double hi) {
    int n = 2000;
    double h = (hi - lo) / n;
    double sum = eval(c, lo) + eval(c, hi);
    for (int i = 1; i < n; i++) {
      sum += eval(c, lo + i * h) * (i % 2 == 1 ? 4 : 2);
    }
    return sum * h / 3;
  }
}
