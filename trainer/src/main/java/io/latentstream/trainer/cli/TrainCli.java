package io.latentstream.trainer.cli;

import io.latentstream.trainer.TrainingOptions;
import io.latentstream.trainer.TrainingRun;
import io.latentstream.trainer.graph.ModelConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code latentstream train}: trains a factorized-prior model on folders of photos and exports a
 * model package. Progress goes to stderr; the package path is printed on stdout. Re-running with
 * the same {@code --out} resumes from the run directory's checkpoint; a {@code --steps} not above
 * the checkpoint's step only exports.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Train the codec's analysis/synthesis transforms and entropy model, then export a model package.")
public final class TrainCli implements Callable<Integer> {

  @Option(
      names = "--images",
      arity = "1..*",
      required = true,
      description = "Folders of training photos (PNG/JPEG).")
  List<Path> images;

  @Option(
      names = "--out",
      required = true,
      description = "Run directory: checkpoint, then the exported package.")
  Path out;

  @Option(
      names = "--init",
      description = "Model package to fine-tune from (weights only; fresh optimizer).")
  Path init;

  @Option(
      names = "--heldout",
      description = "Folder of held-out photos scored into the manifest's metrics.")
  Path heldout;

  @Option(
      names = "--lambda",
      defaultValue = "0.0130",
      description = "Loss = lambda*255^2*MSE + bpp (default ${DEFAULT-VALUE}).")
  double lambda;

  @Option(
      names = "--steps",
      defaultValue = "200000",
      description = "Total optimizer steps (default ${DEFAULT-VALUE}).")
  long steps;

  @Option(
      names = "--size",
      defaultValue = "128x128",
      description = "Crop size WxH, multiples of 16 (default ${DEFAULT-VALUE}).")
  String size;

  @Option(
      names = "--batch",
      defaultValue = "8",
      description = "Crops per step (default ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--N",
      defaultValue = "64",
      description = "Channels inside the transforms (default ${DEFAULT-VALUE}).")
  int n;

  @Option(
      names = "--M",
      defaultValue = "128",
      description = "Latent channels (default ${DEFAULT-VALUE}).")
  int m;

  @Option(
      names = "--kernel",
      defaultValue = "5",
      description = "Convolution kernel size (default ${DEFAULT-VALUE}).")
  int kernel;

  @Option(
      names = "--nonlinearity",
      defaultValue = "gdn",
      description = "gdn or relu (default ${DEFAULT-VALUE}).")
  String nonlinearity;

  @Option(
      names = "--lr",
      defaultValue = "1e-4",
      description = "Adam learning rate (default ${DEFAULT-VALUE}).")
  double lr;

  @Option(
      names = "--decay-start",
      defaultValue = "0.85",
      description =
          "Fraction of --steps after which the learning rate drops (default ${DEFAULT-VALUE}).")
  double decayStart;

  @Option(
      names = "--decay-factor",
      defaultValue = "0.1",
      description = "Learning-rate drop factor (default ${DEFAULT-VALUE}).")
  double decayFactor;

  @Option(
      names = "--entropy-lr-factor",
      defaultValue = "10",
      description =
          "Learning-rate multiplier of the entropy model's density network (default ${DEFAULT-VALUE}).")
  double entropyLrFactor;

  @Option(
      names = "--aux-lr",
      defaultValue = "1e-3",
      description = "Adam learning rate of the quantile loss (default ${DEFAULT-VALUE}).")
  double auxLr;

  @Option(
      names = "--clip",
      defaultValue = "1.0",
      description = "Global gradient-norm clip, 0 = off (default ${DEFAULT-VALUE}).")
  double clip;

  @Option(
      names = "--checkpoint-steps",
      defaultValue = "2000",
      description = "Checkpoint every N steps (default ${DEFAULT-VALUE}).")
  long checkpointSteps;

  @Option(
      names = "--checkpoint-minutes",
      defaultValue = "5",
      description = "... and every M minutes (default ${DEFAULT-VALUE}).")
  long checkpointMinutes;

  @Option(
      names = "--max-side",
      defaultValue = "1536",
      description =
          "Box-downscale photos whose longer side exceeds this, 0 = never (default ${DEFAULT-VALUE}).")
  int maxSide;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of initialization, crops and noise (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--quality",
      defaultValue = "3",
      description = "Quality level for the manifest (default ${DEFAULT-VALUE}).")
  int quality;

  @Option(
      names = "--name",
      defaultValue = "default",
      description = "Package name [a-z0-9][a-z0-9-]* (default ${DEFAULT-VALUE}).")
  String name;

  private final String commandLine;

  TrainCli(String commandLine) {
    this.commandLine = commandLine;
  }

  @Override
  public Integer call() throws Exception {
    String[] wh = size.toLowerCase(java.util.Locale.ROOT).split("x");
    if (wh.length != 2) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--size must be WxH, got " + size);
    }
    ModelConfig config =
        new ModelConfig(n, m, kernel, ModelConfig.Nonlinearity.parse(nonlinearity));
    TrainingOptions options =
        new TrainingOptions(
            images,
            maxSide,
            lambda,
            steps,
            Integer.parseInt(wh[0]),
            Integer.parseInt(wh[1]),
            batch,
            config,
            lr,
            decayStart,
            decayFactor,
            entropyLrFactor,
            auxLr,
            clip,
            checkpointSteps,
            checkpointMinutes * 60,
            seed,
            out,
            name,
            quality,
            init,
            heldout,
            commandLine);
    Path pkg = new TrainingRun(options, System.err).run();
    System.out.println(pkg);
    return 0;
  }

  /** Entry point. */
  public static void main(String[] args) {
    String commandLine = "./latentstream train " + String.join(" ", args);
    int code = new CommandLine(new TrainCli(commandLine)).execute(args);
    System.exit(code);
  }
}
