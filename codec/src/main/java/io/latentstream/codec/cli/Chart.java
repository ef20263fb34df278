package io.latentstream.codec.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The frame the plots draw in: a white antialiased image with a plot area inside margins, grid and
 * border colours, one palette for the series, a legend, and the PNG it becomes. Coordinates are
 * fractions of the plot area, 0 at the left and bottom, 1 at the right and top.
 */
final class Chart {
  static final Color GRID = new Color(0xdddddd);

  private static final Color[] PALETTE = {
    new Color(0xd62728),
    new Color(0x1f77b4),
    new Color(0x2ca02c),
    new Color(0x9467bd),
    new Color(0xff7f0e),
    new Color(0x8c564b)
  };

  private final BufferedImage image;
  private final Graphics2D g;
  private final int left;
  private final int top;
  private final int plotWidth;
  private final int plotHeight;

  /** An image of {@code width} x {@code height} with the given margins around the plot area. */
  Chart(int width, int height, int left, int right, int top, int bottom) {
    this.image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    this.g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    this.left = left;
    this.top = top;
    this.plotWidth = width - left - right;
    this.plotHeight = height - top - bottom;
  }

  Graphics2D graphics() {
    return g;
  }

  int width() {
    return image.getWidth();
  }

  int height() {
    return image.getHeight();
  }

  int left() {
    return left;
  }

  int top() {
    return top;
  }

  /** The image x of a fraction of the plot area's width. */
  int x(double fraction) {
    return left + (int) Math.round(fraction * plotWidth);
  }

  /** The image y of a fraction of the plot area's height, from its bottom. */
  int y(double fraction) {
    return top + plotHeight - (int) Math.round(fraction * plotHeight);
  }

  /** The border of the plot area, in black. */
  void border() {
    g.setColor(Color.BLACK);
    g.drawRect(left, top, plotWidth, plotHeight);
  }

  /** Selects series {@code index}'s colour and a line of {@code width}. */
  void series(int index, float width) {
    g.setColor(PALETTE[index % PALETTE.length]);
    g.setStroke(new BasicStroke(width));
  }

  /** Line {@code index} of the legend at {@code x}: a bar in the series' colour and its label. */
  void legend(int x, int index, String label) {
    g.setColor(PALETTE[index % PALETTE.length]);
    g.fillRect(x, top + 12 + 18 * index, 14, 4);
    g.setColor(Color.BLACK);
    g.drawString(label, x + 20, top + 18 + 18 * index);
  }

  /** Writes the image as a PNG; the chart cannot be drawn on afterwards. */
  void write(Path file) throws IOException {
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }
}
