package io.latentstream.trainer;

import io.latentstream.trainer.graph.ModelConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything a training run needs. Immutable.
 *
 * @param images folders of training photos
 * @param maxSide photos whose longer side exceeds this are box-downscaled (0 = never)
 * @param lambda rate-distortion trade-off: loss = lambda * 255^2 * MSE + bpp
 * @param steps total optimizer steps of the run (a resumed run continues to this number)
 * @param cropWidth crop width in pixels (multiple of 16)
 * @param cropHeight crop height in pixels (multiple of 16)
 * @param batch crops per step
 * @param config architecture
 * @param learningRate Adam learning rate before the decay
 * @param decayStart fraction of {@code steps} after which the learning rate is multiplied by {@code
 *     decayFactor}
 * @param decayFactor learning-rate multiplier for the last part of the run
 * @param entropyLearningRateFactor learning-rate multiplier of the entropy bottleneck's density
 *     network
 * @param auxLearningRate Adam learning rate of the quantile (auxiliary) loss
 * @param clipNorm global gradient-norm clipping (≤ 0 disables)
 * @param checkpointSteps write a checkpoint at least every this many steps
 * @param checkpointSeconds ... and at least every this many seconds
 * @param seed seeds initialization, crops and noise
 * @param out run directory: checkpoint, and the exported package at the end
 * @param name package name, {@code [a-z0-9][a-z0-9-]*}
 * @param quality quality level recorded in the manifest
 * @param init model package to fine-tune from, or null
 * @param heldout folder of held-out photos scored into the manifest's metrics, or null
 * @param command the command line, recorded in the manifest
 */
public record TrainingOptions(
    List<Path> images,
    int maxSide,
    double lambda,
    long steps,
    int cropWidth,
    int cropHeight,
    int batch,
    ModelConfig config,
    double learningRate,
    double decayStart,
    double decayFactor,
    double entropyLearningRateFactor,
    double auxLearningRate,
    double clipNorm,
    long checkpointSteps,
    long checkpointSeconds,
    long seed,
    Path out,
    String name,
    int quality,
    Path init,
    Path heldout,
    String command) {

  public TrainingOptions {
    images = List.copyOf(images);
    if (cropWidth % ModelConfig.STRIDE != 0 || cropHeight % ModelConfig.STRIDE != 0) {
      throw new IllegalArgumentException(
          "crop size must be a multiple of 16, got " + cropWidth + "x" + cropHeight);
    }
    if (!name.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("package name must match [a-z0-9][a-z0-9-]*: " + name);
    }
    if (batch < 1 || steps < 0 || lambda <= 0) {
      throw new IllegalArgumentException("batch must be ≥1, steps ≥0 and lambda >0");
    }
  }

  /** The learning rate at {@code step}: constant, then decayed for the last part of the run. */
  public double learningRateAt(long step) {
    return step >= Math.round(steps * decayStart) ? learningRate * decayFactor : learningRate;
  }
}
