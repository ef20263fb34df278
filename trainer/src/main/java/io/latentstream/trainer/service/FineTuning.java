package io.latentstream.trainer.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.trainer.Checkpoint;
import io.latentstream.trainer.TrainingOptions;
import io.latentstream.trainer.TrainingRun;
import io.latentstream.trainer.graph.ModelConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The fine-tuning step of a retraining run: the champion package's architecture and lambda (from
 * its manifest), the service's {@code train.*} settings, and the training engine ({@link
 * TrainingRun}) started from the champion's weights ({@code --init}, fresh optimizer), exporting
 * the challenger package. {@link RetrainingRun} and the {@code bench-retrain} benchmark both use
 * it, so the benchmark measures exactly what the service runs.
 *
 * <p>Immutable; {@link #run} may be called once per output directory.
 */
public final class FineTuning {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TrainerServiceConfig config;
  private final Path championDir;
  private final String championVersion;
  private final ModelConfig architecture;
  private final String name;
  private final int quality;
  private final double trainLambda;
  private final double gateLambda;

  private FineTuning(
      TrainerServiceConfig config,
      Path championDir,
      String championVersion,
      ModelConfig architecture,
      String name,
      int quality,
      double trainLambda,
      double gateLambda) {
    this.config = config;
    this.championDir = championDir;
    this.championVersion = championVersion;
    this.architecture = architecture;
    this.name = name;
    this.quality = quality;
    this.trainLambda = trainLambda;
    this.gateLambda = gateLambda;
  }

  /**
   * Reads the champion's manifest.
   *
   * @throws IllegalStateException when the champion cannot be fine-tuned (not a factorized-prior
   *     package) or no lambda is known for the promotion cost
   */
  public static FineTuning of(TrainerServiceConfig config, Path championDir, String championVersion)
      throws IOException {
    JsonNode manifest = JSON.readTree(championDir.resolve("manifest.json").toFile());
    if (!"factorized-prior".equals(manifest.path("architecture").path("type").asText())) {
      throw new IllegalStateException(
          "champion "
              + championVersion
              + " has architecture "
              + manifest.path("architecture")
              + ": only factorized-prior packages can be fine-tuned");
    }
    ModelConfig architecture = Checkpoint.architecture(manifest.get("architecture"));
    double championLambda = manifest.path("lambda").asDouble();
    double trainLambda =
        positiveOr(config.getDouble(TrainerServiceConfig.TRAIN_LAMBDA), championLambda);
    double gateLambda =
        positiveOr(config.getDouble(TrainerServiceConfig.GATE_LAMBDA), championLambda);
    if (!(gateLambda > 0)) {
      throw new IllegalStateException(
          "champion "
              + championVersion
              + " names no lambda: set "
              + TrainerServiceConfig.GATE_LAMBDA);
    }
    return new FineTuning(
        config,
        championDir,
        championVersion,
        architecture,
        manifest.path("name").asText(),
        manifest.path("quality").asInt(),
        trainLambda,
        gateLambda);
  }

  /** Lambda of the training loss ({@code train.lambda}, else the champion's). */
  public double trainLambda() {
    return trainLambda;
  }

  /** Lambda of the promotion cost ({@code gate.lambda}, else the champion's). */
  public double gateLambda() {
    return gateLambda;
  }

  /** Optimizer steps of the run ({@code train.steps}). */
  public long steps() {
    return config.getLong(TrainerServiceConfig.TRAIN_STEPS);
  }

  /** The champion's package name (the challenger gets the same). */
  public String name() {
    return name;
  }

  /** The champion's quality level. */
  public int quality() {
    return quality;
  }

  /**
   * Fine-tunes the champion on the frames of one flat folder and exports the challenger.
   *
   * @param trainFrames folder of training frames (PNG), read non-recursively
   * @param outDir run directory of the training engine (checkpoint, progress.log, the package)
   * @param seed seed of crops and noise
   * @param description recorded as the package's command
   * @param progress receives the training engine's progress lines
   * @return the challenger's package directory
   */
  public Path run(
      Path trainFrames, Path outDir, long seed, String description, PrintStream progress)
      throws IOException, InterruptedException {
    int[] crop = config.crop();
    long steps = steps();
    TrainingOptions options =
        new TrainingOptions(
            List.of(trainFrames),
            0,
            trainLambda,
            steps,
            crop[0],
            crop[1],
            config.getInt(TrainerServiceConfig.TRAIN_BATCH),
            architecture,
            config.getDouble(TrainerServiceConfig.TRAIN_LEARNING_RATE),
            0.85,
            0.1,
            10,
            1e-3,
            1.0,
            steps,
            3600,
            seed,
            outDir,
            name,
            quality,
            championDir,
            null,
            description);
    return new TrainingRun(options, progress).run();
  }

  /** The champion's version. */
  public String championVersion() {
    return championVersion;
  }

  private static double positiveOr(double configured, double fallback) {
    return configured > 0 ? configured : fallback;
  }
}
