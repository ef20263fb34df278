package io.latentstream.trainer.data;

import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.ndarray.Shape;

/**
 * Draws training batches of random crops with random horizontal flips. Batch {@code i} is a pure
 * function of {@code (seed, i)}, so a resumed run sees exactly the batches an uninterrupted run
 * would have seen. Images are picked with probability proportional to their number of possible crop
 * positions (big photos give more distinct crops). Immutable; safe to share between threads.
 */
public final class CropSampler {

  /** A batch: row-major {@code [batch, height, width, 3]} floats in [0,1]. */
  public record Batch(long index, float[] pixels, Shape shape) {}

  private final List<TrainingImages.Image> images;
  private final double[] cumulativeWeight;
  private final int batchSize;
  private final int width;
  private final int height;
  private final long seed;

  public CropSampler(TrainingImages images, int batchSize, int width, int height, long seed) {
    this.images = images.images();
    this.batchSize = batchSize;
    this.width = width;
    this.height = height;
    this.seed = seed;
    cumulativeWeight = new double[this.images.size()];
    double total = 0;
    for (int i = 0; i < this.images.size(); i++) {
      TrainingImages.Image im = this.images.get(i);
      if (im.width() < width || im.height() < height) {
        throw new IllegalArgumentException(
            im.name() + " is smaller than the crop " + width + "x" + height);
      }
      total += (double) (im.width() - width + 1) * (im.height() - height + 1);
      cumulativeWeight[i] = total;
    }
  }

  /** Shape of every batch. */
  public Shape shape() {
    return Shape.of(batchSize, height, width, 3);
  }

  /** The batch with the given index. */
  public Batch batch(long index) {
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
    float[] out = new float[batchSize * height * width * 3];
    for (int b = 0; b < batchSize; b++) {
      double pick = random.nextDouble() * cumulativeWeight[cumulativeWeight.length - 1];
      int i = 0;
      while (i < cumulativeWeight.length - 1 && cumulativeWeight[i] <= pick) {
        i++;
      }
      TrainingImages.Image im = images.get(i);
      int x0 = random.nextInt(im.width() - width + 1);
      int y0 = random.nextInt(im.height() - height + 1);
      boolean flip = random.nextBoolean();
      byte[] src = im.rgb();
      int o = b * height * width * 3;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int sx = x0 + (flip ? width - 1 - x : x);
          int s = ((y0 + y) * im.width() + sx) * 3;
          out[o++] = (src[s] & 0xff) / 255f;
          out[o++] = (src[s + 1] & 0xff) / 255f;
          out[o++] = (src[s + 2] & 0xff) / 255f;
        }
      }
    }
    return new Batch(index, out, shape());
  }
}
