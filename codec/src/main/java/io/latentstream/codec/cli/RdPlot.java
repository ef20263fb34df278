package io.latentstream.codec.cli;

import io.latentstream.codec.metrics.BdRate;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Draws rate-distortion curves (PSNR over bpp) to a PNG with Java2D. */
public final class RdPlot {
  private static final Color[] COLORS = {
    new Color(0xd62728),
    new Color(0x1f77b4),
    new Color(0x2ca02c),
    new Color(0x9467bd),
    new Color(0xff7f0e)
  };

  private RdPlot() {}

  /** A white, antialiased canvas with the plots' font. */
  static Graphics2D canvas(BufferedImage img) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    return g;
  }

  public static void write(Map<String, List<BdRate.Point>> series, Path file) throws IOException {
    int w = 800;
    int h = 560;
    int left = 70;
    int right = 20;
    int top = 30;
    int bottom = 60;
    double minX = 0;
    double maxX = 1e-9;
    double minY = Double.MAX_VALUE;
    double maxY = -Double.MAX_VALUE;
    for (List<BdRate.Point> pts : series.values()) {
      for (BdRate.Point p : pts) {
        maxX = Math.max(maxX, p.bpp());
        minY = Math.min(minY, p.psnr());
        maxY = Math.max(maxY, p.psnr());
      }
    }
    if (minY > maxY) {
      minY = 0;
      maxY = 1;
    }
    minY = Math.floor(minY - 1);
    maxY = Math.ceil(maxY + 1);
    maxX *= 1.05;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img);
    try {
      int pw = w - left - right;
      int ph = h - top - bottom;
      int widest = 0;
      for (String label : series.keySet()) {
        widest = Math.max(widest, g.getFontMetrics().stringWidth(label));
      }
      int legendX = Math.max(left + 10, w - 10 - widest - 20);
      g.setColor(new Color(0xdddddd));
      for (int i = 0; i <= 10; i++) {
        int x = left + pw * i / 10;
        int y = top + ph * i / 10;
        g.drawLine(x, top, x, top + ph);
        g.drawLine(left, y, left + pw, y);
      }
      g.setColor(Color.BLACK);
      g.drawRect(left, top, pw, ph);
      for (int i = 0; i <= 10; i += 2) {
        g.drawString(
            String.format("%.2f", minX + (maxX - minX) * i / 10),
            left + pw * i / 10 - 12,
            top + ph + 16);
        g.drawString(
            String.format("%.1f", maxY - (maxY - minY) * i / 10), left - 40, top + ph * i / 10 + 4);
      }
      g.drawString("bits per pixel", left + pw / 2 - 35, h - 20);
      g.drawString("PSNR (dB)", 5, top - 10);
      int k = 0;
      for (Map.Entry<String, List<BdRate.Point>> e : series.entrySet()) {
        g.setColor(COLORS[k % COLORS.length]);
        g.setStroke(new BasicStroke(2f));
        List<BdRate.Point> pts =
            e.getValue().stream().sorted((a, b) -> Double.compare(a.bpp(), b.bpp())).toList();
        int px = -1;
        int py = -1;
        for (BdRate.Point p : pts) {
          int x = left + (int) ((p.bpp() - minX) / (maxX - minX) * pw);
          int y = top + (int) ((maxY - p.psnr()) / (maxY - minY) * ph);
          g.fillOval(x - 3, y - 3, 7, 7);
          if (px >= 0) {
            g.drawLine(px, py, x, y);
          }
          px = x;
          py = y;
        }
        // legend anchored at the right edge by the widest label, so long model names stay inside
        // the image
        g.fillRect(legendX, top + 12 + 18 * k, 14, 4);
        g.drawString(e.getKey(), legendX + 20, top + 18 + 18 * k);
        k++;
      }
    } finally {
      g.dispose();
    }
    ImageIO.write(img, "png", file.toFile());
  }
}
