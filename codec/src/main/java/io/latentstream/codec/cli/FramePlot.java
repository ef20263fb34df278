package io.latentstream.codec.cli;

import java.awt.Color;
import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Draws bytes per frame over time (log scale), one line per series, key frames marked, to a PNG
 * with Java2D.
 */
public final class FramePlot {

  private FramePlot() {}

  /**
   * @param bytes per series, the bytes of each frame in order
   * @param keys per series, whether each frame is a key frame (may be missing for a series)
   */
  public static void write(
      Map<String, List<Integer>> bytes, Map<String, List<Boolean>> keys, Path file)
      throws IOException {
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
    Chart chart = new Chart(900, 480, 80, 150, 30, 50);
    Graphics2D g = chart.graphics();
    for (double e = lo; e <= hi; e++) {
      int y = chart.y((e - lo) / (hi - lo));
      g.setColor(Chart.GRID);
      g.drawLine(chart.x(0), y, chart.x(1), y);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format("%,.0f", Math.pow(10, e)), 8, y + 4);
    }
    chart.border();
    g.drawString("frame", chart.x(0.5) - 15, chart.height() - 15);
    g.drawString("bytes per frame (log scale); dots: key frames", chart.left(), 20);
    int i = 0;
    for (Map.Entry<String, List<Integer>> e : bytes.entrySet()) {
      chart.series(i, 1.2f);
      List<Integer> s = e.getValue();
      List<Boolean> k = keys.get(e.getKey());
      int px = -1;
      int py = -1;
      for (int f = 0; f < s.size(); f++) {
        int x = chart.x((double) f / Math.max(1, frames - 1));
        int y = chart.y((Math.log10(Math.max(1, s.get(f))) - lo) / (hi - lo));
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        if (k != null && f < k.size() && k.get(f)) {
          g.fillOval(x - 3, y - 3, 7, 7);
        }
        px = x;
        py = y;
      }
      chart.legend(chart.x(1) + 12, i, e.getKey());
      i++;
    }
    chart.write(file);
  }
}
