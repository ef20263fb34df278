package io.latentstream.trainer;

import io.latentstream.trainer.data.BatchPrefetcher;
import io.latentstream.trainer.data.CropSampler;
import io.latentstream.trainer.data.TrainingImages;
import io.latentstream.trainer.eval.HeldoutEvaluator;
import io.latentstream.trainer.eval.PackageScore;
import io.latentstream.trainer.export.EntropyTables;
import io.latentstream.trainer.export.ModelMetadata;
import io.latentstream.trainer.export.PackageExporter;
import io.latentstream.trainer.export.PackageParameters;
import io.latentstream.trainer.graph.ParameterValues;
import io.latentstream.trainer.graph.TrainingGraph;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * One training run: loads the photos, builds the graph, initializes it (from the run directory's
 * checkpoint, else from {@code --init}'s package, else randomly), trains to {@code steps} with
 * periodic checkpoints and a progress line on {@code progress}, then exports the model package into
 * the run directory. Not thread-safe; single use.
 */
public final class TrainingRun {

  /** Thrown when the loss or a gradient stops being finite. */
  public static final class DivergedException extends RuntimeException {
    public DivergedException(String message) {
      super(message);
    }
  }

  /**
   * Progress lines are also appended to this file of the run directory (survives a lost console
   * log).
   */
  public static final String PROGRESS_LOG = "progress.log";

  private final TrainingOptions options;
  private final PrintStream progress;

  public TrainingRun(TrainingOptions options, PrintStream progress) {
    this.options = options;
    this.progress = progress;
  }

  /** Trains and exports; returns the package directory. */
  public Path run() throws IOException, InterruptedException {
    TrainingImages images =
        TrainingImages.load(
            options.images(), options.maxSide(), options.cropWidth(), options.cropHeight());
    progress.printf(
        Locale.ROOT,
        "loaded %d training images from %s%n",
        images.images().size(),
        options.images());
    try (TrainingGraph graph =
        new TrainingGraph(
            options.config(),
            options.lambda(),
            options.clipNorm(),
            options.entropyLearningRateFactor())) {
      long step = initialize(graph);
      step = train(graph, images, step);
      ParameterValues state = graph.readState();
      ModelMetadata meta =
          new ModelMetadata(
              options.name(),
              options.quality(),
              options.lambda(),
              options.config(),
              parentVersion(),
              step,
              options.batch(),
              options.cropWidth() + "x" + options.cropHeight(),
              images.names(),
              options.command());
      com.fasterxml.jackson.databind.node.ObjectNode metrics = null;
      if (options.heldout() != null) {
        HeldoutEvaluator.Result r =
            new HeldoutEvaluator()
                .evaluate(
                    graph, EntropyTables.build(state, options.config().m()), options.heldout());
        progress.printf(
            Locale.ROOT,
            "held-out %s: %d images, %.4f bpp, %.2f dB PSNR%n",
            options.heldout(),
            r.images(),
            r.bpp(),
            r.psnr());
        metrics = r.toJson(new com.fasterxml.jackson.databind.ObjectMapper());
      }
      Path pkg = new PackageExporter().export(state, meta, options.out(), graph, metrics);
      if (options.heldout() != null) {
        // The manifest records what ./latentstream eval measures: real bitstreams through the
        // codec.
        PackageScore.Result real = PackageScore.score(pkg, options.heldout());
        PackageScore.writeMetrics(pkg, real, metrics.get("bpp").asDouble());
        progress.printf(
            Locale.ROOT,
            "held-out %s through the codec: %.4f bpp, %.2f dB PSNR, MS-SSIM %.4f%n",
            options.heldout(),
            real.bpp(),
            real.psnr(),
            real.msssim());
      }
      progress.printf("exported %s%n", pkg);
      return pkg;
    }
  }

  private String parentVersion() {
    return options.init() == null ? null : options.init().getFileName().toString();
  }

  private long initialize(TrainingGraph graph) throws IOException {
    graph.initialize(new Random(options.seed()));
    if (Checkpoint.exists(options.out())) {
      Checkpoint c = Checkpoint.read(options.out());
      if (!c.config().equals(options.config())) {
        throw new IllegalArgumentException(
            "checkpoint in "
                + options.out()
                + " has architecture "
                + c.config()
                + ", not "
                + options.config());
      }
      if (c.lambda() != options.lambda() || c.seed() != options.seed()) {
        throw new IllegalArgumentException(
            "checkpoint in "
                + options.out()
                + " was trained with lambda "
                + c.lambda()
                + " seed "
                + c.seed()
                + "; use another --out for other settings");
      }
      graph.writeState(c.values());
      progress.printf(
          "resumed from %s at step %d%n", options.out().resolve(Checkpoint.INDEX), c.step());
      return c.step();
    }
    if (options.init() != null) {
      ParameterValues init = PackageParameters.load(options.init(), options.config());
      graph.writeState(init);
      progress.printf("initialized from package %s%n", options.init());
    }
    return 0;
  }

  private long train(TrainingGraph graph, TrainingImages images, long start)
      throws IOException, InterruptedException {
    CropSampler sampler =
        new CropSampler(
            images, options.batch(), options.cropWidth(), options.cropHeight(), options.seed());
    long step = start;
    long lastCheckpointStep = start;
    long lastCheckpointTime = System.nanoTime();
    Progress meter =
        new Progress(progress, options.steps(), start, options.out().resolve(PROGRESS_LOG));
    try (BatchPrefetcher batches = new BatchPrefetcher(sampler, start, 4)) {
      while (step < options.steps()) {
        CropSampler.Batch batch = batches.next();
        TrainingGraph.StepMetrics m =
            graph.step(
                batch.pixels(),
                batch.shape(),
                step,
                options.seed(),
                (float) options.learningRateAt(step),
                (float) options.auxLearningRate());
        if (!m.finite()) {
          throw new DivergedException(
              String.format(
                  Locale.ROOT,
                  "non-finite training values at step %d (loss=%s bpp=%s mse=%s grad norm=%s aux=%s); "
                      + "the checkpoint at step %d in %s is intact: lower --lr and resume",
                  step,
                  m.loss(),
                  m.bpp(),
                  m.mse(),
                  m.gradNorm(),
                  m.auxLoss(),
                  lastCheckpointStep,
                  options.out()));
        }
        step++;
        meter.record(step, m, options.learningRateAt(step - 1));
        boolean due =
            step - lastCheckpointStep >= options.checkpointSteps()
                || System.nanoTime() - lastCheckpointTime
                    >= options.checkpointSeconds() * 1_000_000_000L;
        if (due || step == options.steps()) {
          new Checkpoint(
                  step, options.seed(), options.lambda(), options.config(), graph.readState())
              .write(options.out());
          lastCheckpointStep = step;
          lastCheckpointTime = System.nanoTime();
        }
      }
    }
    meter.finish(step);
    return step;
  }

  /** Progress line: averages since the last line, printed every few seconds. */
  private static final class Progress {
    private final PrintStream out;
    private final Path logFile;
    private final long total;
    private final long startStep;
    private final long startTime = System.nanoTime();
    private long lastPrint = System.nanoTime();
    private int n;
    private double loss;
    private double bpp;
    private double mse;
    private double aux;
    private double lr;

    Progress(PrintStream out, long total, long startStep, Path logFile) {
      this.out = out;
      this.logFile = logFile;
      this.total = total;
      this.startStep = startStep;
    }

    void record(long step, TrainingGraph.StepMetrics m, double learningRate) {
      n++;
      loss += m.loss();
      bpp += m.bpp();
      mse += m.mse();
      aux += m.auxLoss();
      lr = learningRate;
      long now = System.nanoTime();
      if (now - lastPrint >= 10_000_000_000L || step == startStep + 1) {
        print(step, now);
      }
    }

    void finish(long step) {
      if (n > 0) {
        print(step, System.nanoTime());
      }
    }

    private void print(long step, long now) {
      double elapsed = (now - startTime) / 1e9;
      double rate = (step - startStep) / Math.max(elapsed, 1e-9);
      long eta = rate > 0 ? (long) ((total - step) / rate) : 0;
      String line =
          String.format(
              Locale.ROOT,
              "%s step %d/%d (%.1f%%) %.2f steps/s ETA %dh%02dm loss %.4f bpp %.4f psnr %.2f aux %.1f lr %.1e%n",
              java.time.LocalTime.now()
                  .format(java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss")),
              step,
              total,
              100.0 * step / Math.max(total, 1),
              rate,
              eta / 3600,
              (eta / 60) % 60,
              loss / n,
              bpp / n,
              10 * Math.log10(1.0 / (mse / n)),
              aux / n,
              lr);
      out.print(line);
      out.flush();
      try {
        java.nio.file.Files.createDirectories(logFile.getParent());
        java.nio.file.Files.writeString(
            logFile,
            line,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      } catch (IOException e) {
        out.println("cannot append to " + logFile + ": " + e);
      }
      lastPrint = now;
      n = 0;
      loss = bpp = mse = aux = 0;
    }
  }
}
