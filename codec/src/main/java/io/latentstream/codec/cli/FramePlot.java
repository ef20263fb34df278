package io.latentstream.codec.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws bytes per frame over time (log scale), one line per series, key frames marked, to a PNG
 * with Java2D.
 */
public final class FramePlot {
  private static final Color[] COLORS = {
    new Color(0x1f77b4),
    new Color(0x2ca02c),
    new Color(0xff7f0e),
    new Color(0x9467bd),
    new Color(0xd62728),
    new Color(0x8c564b)
  };

  private FramePlot() {}

  /**
   * @param bytes per series, the bytes of each frame in order
   * @param keys per series, whether each frame is a key frame (may be missing for a series)
   */
  public static void write(
      Map<String, List<Integer>> bytes, Map<String, List<Boolean>> keys, Path file)
      throws IOException {
    int w = 900;
    int h = 480;
    int left = 80;
    int right = 150;
    int top = 30;
    int bottom = 50;
    int frames = 1;
    int max = 1;
    int min = Integer.MAX_VALUE;
    for (List<Integer> s : bytes.values()) {
      frames = Math.max(frames, s.size());
      for (int b : s) {
        max = Math.max(max, b);
        min = Math.min(min, Math.max(1, b));
      }
    }
    double lo = Math.floor(Math.log10(Math.max(1, min)));
    double hi = Math.ceil(Math.log10(max));
    if (hi <= lo) {
      hi = lo + 1;
    }
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = RdPlot.canvas(img);
    int pw = w - left - right;
    int ph = h - top - bottom;
    g.setColor(new Color(0xdddddd));
    for (double e = lo; e <= hi; e++) {
      int y = top + ph - (int) Math.round((e - lo) / (hi - lo) * ph);
      g.drawLine(left, y, left + pw, y);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format("%,.0f", Math.pow(10, e)), 8, y + 4);
      g.setColor(new Color(0xdddddd));
    }
    g.setColor(Color.BLACK);
    g.drawRect(left, top, pw, ph);
    g.drawString("frame", left + pw / 2 - 15, h - 15);
    g.drawString("bytes per frame (log scale); dots: key frames", left, 20);
    int i = 0;
    for (Map.Entry<String, List<Integer>> e : bytes.entrySet()) {
      Color c = COLORS[i % COLORS.length];
      g.setColor(c);
      g.setStroke(new BasicStroke(1.2f));
      List<Integer> s = e.getValue();
      List<Boolean> k = keys.get(e.getKey());
      int px = -1;
      int py = -1;
      for (int f = 0; f < s.size(); f++) {
        int x = left + (int) Math.round((double) f / Math.max(1, frames - 1) * pw);
        double v = Math.log10(Math.max(1, s.get(f)));
        int y = top + ph - (int) Math.round((v - lo) / (hi - lo) * ph);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        if (k != null && f < k.size() && k.get(f)) {
          g.fillOval(x - 3, y - 3, 7, 7);
        }
        px = x;
        py = y;
      }
      g.fillRect(left + pw + 12, top + 10 + 18 * i, 14, 4);
      g.setColor(Color.BLACK);
      g.drawString(e.getKey(), left + pw + 30, top + 16 + 18 * i);
      i++;
    }
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }
}
