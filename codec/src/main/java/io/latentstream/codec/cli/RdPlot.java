package io.latentstream.codec.cli;

import io.latentstream.codec.metrics.BdRate;
import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Draws rate-distortion curves (PSNR over bpp) to a PNG with Java2D. */
public final class RdPlot {

  private RdPlot() {}

  public static void write(Map<String, List<BdRate.Point>> series, Path file) throws IOException {
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
    Chart chart = new Chart(800, 560, 70, 20, 30, 60);
    Graphics2D g = chart.graphics();
    int widest = 0;
    for (String label : series.keySet()) {
      widest = Math.max(widest, g.getFontMetrics().stringWidth(label));
    }
    // legend anchored at the right edge by the widest label, so long model names stay inside the
    // image
    int legendX = Math.max(chart.x(0) + 10, chart.width() - 10 - widest - 20);
    g.setColor(Chart.GRID);
    for (int i = 0; i <= 10; i++) {
      g.drawLine(chart.x(i / 10.0), chart.y(0), chart.x(i / 10.0), chart.y(1));
      g.drawLine(chart.x(0), chart.y(i / 10.0), chart.x(1), chart.y(i / 10.0));
    }
    chart.border();
    for (int i = 0; i <= 10; i += 2) {
      g.drawString(
          String.format("%.2f", minX + (maxX - minX) * i / 10),
          chart.x(i / 10.0) - 12,
          chart.y(0) + 16);
      g.drawString(
          String.format("%.1f", minY + (maxY - minY) * i / 10),
          chart.x(0) - 40,
          chart.y(i / 10.0) + 4);
    }
    g.drawString("bits per pixel", chart.x(0.5) - 35, chart.height() - 20);
    g.drawString("PSNR (dB)", 5, chart.top() - 10);
    int k = 0;
    for (Map.Entry<String, List<BdRate.Point>> e : series.entrySet()) {
      chart.series(k, 2f);
      List<BdRate.Point> pts =
          e.getValue().stream().sorted(Comparator.comparingDouble(BdRate.Point::bpp)).toList();
      int px = -1;
      int py = -1;
      for (BdRate.Point p : pts) {
        int x = chart.x((p.bpp() - minX) / (maxX - minX));
        int y = chart.y((p.psnr() - minY) / (maxY - minY));
        g.fillOval(x - 3, y - 3, 7, 7);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        px = x;
        py = y;
      }
      chart.legend(legendX, k, e.getKey());
      k++;
    }
    chart.write(file);
  }
}
