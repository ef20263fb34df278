package io.latentstream.codec.metrics;

import io.latentstream.codec.image.PixelImage;

/**
 * Distortion metrics on 8-bit images: PSNR over all samples (RGB or gray), and MS-SSIM (Wang et al.
 * 2003: five scales with the standard weights, 11-tap Gaussian window with sigma 1.5, K1 = 0.01, K2
 * = 0.03, 2x2 average pooling between scales, computed per channel and averaged). Images too small
 * for five scales use as many as fit (coarsest side at least 11 pixels) with the weights
 * renormalised, and images smaller than the window use a window as large as the image. Stateless
 * and thread-safe.
 */
public final class QualityMetrics {
  /** PSNR reported for identical images, so that JSON never holds infinity. */
  public static final double MAX_PSNR = 100.0;

  private static final double[] WEIGHTS = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
  private static final int WINDOW = 11;
  private static final double SIGMA = 1.5;
  private static final double C1 = Math.pow(0.01 * 255, 2);
  private static final double C2 = Math.pow(0.03 * 255, 2);

  private QualityMetrics() {}

  /** Bits per pixel of {@code bytes} bytes over a {@code width x height} image. */
  public static double bpp(long bytes, int width, int height) {
    return bytes * 8.0 / ((long) width * height);
  }

  /** Peak signal-to-noise ratio in dB (peak 255), capped at {@link #MAX_PSNR}. */
  public static double psnr(PixelImage a, PixelImage b) {
    checkComparable(a, b);
    byte[] pa = a.pixels();
    byte[] pb = b.pixels();
    long sse = 0;
    for (int i = 0; i < pa.length; i++) {
      int d = (pa[i] & 0xff) - (pb[i] & 0xff);
      sse += (long) d * d;
    }
    if (sse == 0) {
      return MAX_PSNR;
    }
    double mse = sse / (double) pa.length;
    return Math.min(MAX_PSNR, 10 * Math.log10(255.0 * 255.0 / mse));
  }

  /** Multi-scale SSIM in [0, 1]. */
  public static double msssim(PixelImage a, PixelImage b) {
    checkComparable(a, b);
    int channels = a.format().channels();
    double sum = 0;
    for (int c = 0; c < channels; c++) {
      sum += msssim(plane(a, c), plane(b, c), a.width(), a.height());
    }
    return sum / channels;
  }

  private static double msssim(double[] x, double[] y, int w, int h) {
    int scales = 1;
    while (scales < WEIGHTS.length && (Math.min(w, h) >> scales) >= WINDOW) {
      scales++;
    }
    // The standard weights sum to 1.0001; keep them as published when all five scales fit.
    double weightSum = 1;
    if (scales < WEIGHTS.length) {
      weightSum = 0;
      for (int s = 0; s < scales; s++) {
        weightSum += WEIGHTS[s];
      }
    }
    double result = 1;
    for (int s = 0; s < scales; s++) {
      double[] ssimCs = ssim(x, y, w, h);
      double value = s == scales - 1 ? ssimCs[0] : ssimCs[1];
      result *= Math.pow(Math.max(0, value), WEIGHTS[s] / weightSum);
      if (s < scales - 1) {
        int nw = w / 2;
        int nh = h / 2;
        x = pool(x, w, h);
        y = pool(y, w, h);
        w = nw;
        h = nh;
      }
    }
    return result;
  }

  /** Mean SSIM and mean contrast-structure term over the valid window positions. */
  private static double[] ssim(double[] x, double[] y, int w, int h) {
    int win = Math.min(WINDOW, Math.min(w, h));
    double[] g = gaussian(win);
    int ow = w - win + 1;
    int oh = h - win + 1;
    double[] mx = filter(x, w, h, g);
    double[] my = filter(y, w, h, g);
    double[] xx = new double[x.length];
    double[] yy = new double[x.length];
    double[] xy = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      xx[i] = x[i] * x[i];
      yy[i] = y[i] * y[i];
      xy[i] = x[i] * y[i];
    }
    double[] sxx = filter(xx, w, h, g);
    double[] syy = filter(yy, w, h, g);
    double[] sxy = filter(xy, w, h, g);
    double ssimSum = 0;
    double csSum = 0;
    int n = ow * oh;
    for (int i = 0; i < n; i++) {
      double vx = sxx[i] - mx[i] * mx[i];
      double vy = syy[i] - my[i] * my[i];
      double cov = sxy[i] - mx[i] * my[i];
      double cs = (2 * cov + C2) / (vx + vy + C2);
      double l = (2 * mx[i] * my[i] + C1) / (mx[i] * mx[i] + my[i] * my[i] + C1);
      csSum += cs;
      ssimSum += l * cs;
    }
    return new double[] {ssimSum / n, csSum / n};
  }

  /** Separable "valid" filtering with a normalised 1-D kernel. */
  private static double[] filter(double[] in, int w, int h, double[] g) {
    int k = g.length;
    int ow = w - k + 1;
    int oh = h - k + 1;
    double[] tmp = new double[ow * h];
    for (int r = 0; r < h; r++) {
      int base = r * w;
      for (int c = 0; c < ow; c++) {
        double s = 0;
        for (int t = 0; t < k; t++) {
          s += g[t] * in[base + c + t];
        }
        tmp[r * ow + c] = s;
      }
    }
    double[] out = new double[ow * oh];
    for (int r = 0; r < oh; r++) {
      for (int c = 0; c < ow; c++) {
        double s = 0;
        for (int t = 0; t < k; t++) {
          s += g[t] * tmp[(r + t) * ow + c];
        }
        out[r * ow + c] = s;
      }
    }
    return out;
  }

  private static double[] gaussian(int size) {
    double[] g = new double[size];
    double sum = 0;
    double center = (size - 1) / 2.0;
    for (int i = 0; i < size; i++) {
      g[i] = Math.exp(-((i - center) * (i - center)) / (2 * SIGMA * SIGMA));
      sum += g[i];
    }
    for (int i = 0; i < size; i++) {
      g[i] /= sum;
    }
    return g;
  }

  private static double[] pool(double[] in, int w, int h) {
    int nw = w / 2;
    int nh = h / 2;
    double[] out = new double[nw * nh];
    for (int r = 0; r < nh; r++) {
      for (int c = 0; c < nw; c++) {
        int i = 2 * r * w + 2 * c;
        out[r * nw + c] = (in[i] + in[i + 1] + in[i + w] + in[i + w + 1]) / 4;
      }
    }
    return out;
  }

  private static double[] plane(PixelImage img, int channel) {
    int ch = img.format().channels();
    byte[] p = img.pixels();
    double[] out = new double[img.width() * img.height()];
    for (int i = 0; i < out.length; i++) {
      out[i] = p[i * ch + channel] & 0xff;
    }
    return out;
  }

  private static void checkComparable(PixelImage a, PixelImage b) {
    if (a.width() != b.width() || a.height() != b.height() || a.format() != b.format()) {
      throw new IllegalArgumentException(
          "images differ in size or format: "
              + a.width()
              + "x"
              + a.height()
              + " "
              + a.format()
              + " vs "
              + b.width()
              + "x"
              + b.height()
              + " "
              + b.format());
    }
  }
}
