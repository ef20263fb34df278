package io.latentstream.trainer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentstream.codec.metrics.BdRate;
import io.latentstream.codec.model.ModelCatalog;
import io.latentstream.trainer.service.CodecEvaluation;
import io.latentstream.trainer.service.CronSchedule;
import io.latentstream.trainer.service.FineTuning;
import io.latentstream.trainer.service.FrameReservoir;
import io.latentstream.trainer.service.PromotionGate;
import io.latentstream.trainer.service.TrainerServiceConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code latentstream bench-retrain}: what the retraining service is worth on one fixed camera
 * (issue 7, acceptance 1). The camera's frames are split in time (training period, gap, later
 * held-out period); every quality level of the generic model is fine-tuned on the training frames
 * by the service's own fine-tuning step ({@link FineTuning}: same settings, same training engine,
 * same {@code --init} from the generic package), timed, and both models are scored by the service's
 * evaluation ({@link CodecEvaluation}: real bitstreams, rANS, decoded and compared) on the held-out
 * frames. Prints a table, the BD-rate of the fine-tuned ladder against the generic one when there
 * are two or more levels, and writes the figures as JSON.
 */
@Command(
    name = "bench-retrain",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Fine-tune every quality level on a fixed camera's earlier frames, as the retraining service does,"
            + " and compare it with the generic model on later held-out frames (bpp, PSNR, BD-rate, time).")
public final class RetrainBench implements Callable<Integer> {
  /** Acceptance 1 of issue 7: at least 20 % fewer bits at equal PSNR. */
  static final double TARGET_BD_RATE = -20.0;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = "--footage",
      description =
          "Folder of one fixed camera's PNG frames, numbered in time order"
              + " (default: .latentstream/footage/vtest from trainer/scripts/fetch-fixed-camera.sh).")
  Path footage;

  @Option(
      names = "--model",
      defaultValue = "default",
      description =
          "Model family whose quality levels are fine-tuned (<family>-q1..qK), or one package"
              + " (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = "--config",
      description =
          "The trainer service's properties file: its train.* and gate.* settings"
              + " are used (default: the service's defaults).")
  Path config;

  @Option(
      names = "--steps",
      description =
          "Fine-tuning steps per level (default: train.steps of the configuration,"
              + " 5000 by default).")
  Long steps;

  @Option(
      names = "--train-frames",
      defaultValue = "400",
      description = "The training period: the first F frames (default: ${DEFAULT-VALUE}).")
  int trainFrames;

  @Option(
      names = "--train-stride",
      defaultValue = "2",
      description = "Train on every S-th frame of the training period (default: ${DEFAULT-VALUE}).")
  int trainStride;

  @Option(
      names = "--gap",
      defaultValue = "100",
      description =
          "Frames between the training and the held-out period, used by neither (default: ${DEFAULT-VALUE}).")
  int gap;

  @Option(
      names = "--heldout-frames",
      defaultValue = "40",
      description =
          "Held-out frames evaluated, evenly spaced over the rest of the sequence (default: ${DEFAULT-VALUE}).")
  int heldoutFrames;

  @Option(
      names = "--work",
      description =
          "Work folder: training frames, checkpoints and the fine-tuned packages"
              + " (default: .latentstream/bench-retrain/<UTC time>).")
  Path work;

  @Option(
      names = "--out",
      defaultValue = "bench-retrain.json",
      description = "JSON results (default: ${DEFAULT-VALUE}).")
  Path out;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final PrintStream log;

  RetrainBench(PrintStream log) {
    this.log = log;
  }

  /** One quality level's outcome. */
  record Level(
      int quality,
      String generic,
      String fineTuned,
      Path fineTunedDir,
      CodecEvaluation.Score before,
      CodecEvaluation.Score after,
      double fineTuneSeconds,
      double evalSeconds,
      long steps,
      PromotionGate.Decision decision) {}

  @Override
  public Integer call() throws Exception {
    Path root = Paths.get(System.getProperty("latentstream.root", "."));
    Path footageDir = footage != null ? footage : root.resolve(".latentstream/footage/vtest");
    String started =
        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC)
            .format(Instant.now());
    Path workDir =
        work != null ? work : root.resolve(".latentstream/bench-retrain").resolve(started);
    TrainerServiceConfig cfg = serviceConfig();

    FootageSplit split =
        FootageSplit.of(
            FootageSplit.listFrames(footageDir), trainFrames, trainStride, gap, heldoutFrames);
    String camera = footageDir.getFileName().toString();
    Path trainDir = linkTrainingFrames(split, workDir.resolve("data").resolve("train"));
    Map<String, List<FrameReservoir.Frame>> heldout = heldoutFrames(camera, split);
    log.printf(
        Locale.ROOT,
        "bench-retrain: %s, %d frames; training on %d frames of #0-#%d, held out: %d frames of"
            + " #%d-#%d; %d steps per level; work folder %s%n",
        footageDir,
        split.frames().size(),
        split.train().size(),
        trainFrames - 1,
        split.heldout().size(),
        split.heldout().get(0),
        split.heldout().get(split.heldout().size() - 1),
        cfg.getLong(TrainerServiceConfig.TRAIN_STEPS),
        workDir);

    TreeMap<Integer, Path> levels = levels();
    double load0 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    List<Level> results = new ArrayList<>();
    long seed = cfg.getLong(TrainerServiceConfig.TRAIN_SEED);
    for (Map.Entry<Integer, Path> e : levels.entrySet()) {
      Path generic = e.getValue();
      String version = generic.getFileName().toString();
      FineTuning fineTuning = FineTuning.of(cfg, generic, version);
      log.printf(
          Locale.ROOT,
          "level q%d: fine-tuning %s for %d steps (lambda %.4g)%n",
          e.getKey(),
          version,
          fineTuning.steps(),
          fineTuning.trainLambda());
      long t0 = System.nanoTime();
      Path tuned =
          fineTuning.run(
              trainDir,
              workDir.resolve("q" + e.getKey()),
              seed,
              "bench-retrain (fine-tune " + version + " on " + camera + ")",
              log);
      long t1 = System.nanoTime();
      CodecEvaluation.Result before = CodecEvaluation.evaluate(generic, heldout);
      CodecEvaluation.Result after = CodecEvaluation.evaluate(tuned, heldout);
      long t2 = System.nanoTime();
      PromotionGate.Decision decision =
          new PromotionGate(
                  fineTuning.gateLambda(),
                  cfg.getDouble(TrainerServiceConfig.GATE_MIN_IMPROVEMENT),
                  cfg.getDouble(TrainerServiceConfig.GATE_CAMERA_TOLERANCE))
              .decide(before, after);
      Level level =
          new Level(
              e.getKey(),
              version,
              after.version(),
              tuned,
              before.overall(),
              after.overall(),
              (t1 - t0) / 1e9,
              (t2 - t1) / 1e9,
              fineTuning.steps(),
              decision);
      results.add(level);
      log.printf(Locale.ROOT, "level q%d: %s%n", e.getKey(), decision.reason());
    }
    double load1 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

    List<BdRate.Point> genericCurve = new ArrayList<>();
    List<BdRate.Point> tunedCurve = new ArrayList<>();
    for (Level l : results) {
      genericCurve.add(new BdRate.Point(l.before().bpp(), l.before().psnr()));
      tunedCurve.add(new BdRate.Point(l.after().bpp(), l.after().psnr()));
    }
    double bdRate = results.size() >= 2 ? BdRate.percent(genericCurve, tunedCurve) : Double.NaN;
    double runSeconds =
        results.stream().mapToDouble(l -> l.fineTuneSeconds() + l.evalSeconds()).sum();
    long budgetSeconds = scheduleSeconds(cfg);

    ObjectNode json =
        report(
            footageDir,
            split,
            cfg,
            results,
            bdRate,
            runSeconds,
            budgetSeconds,
            load0,
            load1,
            workDir);
    if (out.toAbsolutePath().getParent() != null) {
      Files.createDirectories(out.toAbsolutePath().getParent());
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), json);
    printTable(results, bdRate, runSeconds, budgetSeconds);
    System.out.println("results: " + out);
    return 0;
  }

  /** The service's configuration ({@code --config}, environment), with {@code --steps} on top. */
  private TrainerServiceConfig serviceConfig() {
    TrainerServiceConfig base = TrainerServiceConfig.load(config, System.getenv());
    if (steps == null) {
      return base;
    }
    if (steps < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--steps must be at least 1");
    }
    Map<String, Object> values = new HashMap<>(base.originals());
    values.put(TrainerServiceConfig.TRAIN_STEPS, steps);
    return TrainerServiceConfig.of(values);
  }

  /**
   * Quality level → generic package: every level of the family, else the one package {@code
   * --model} names.
   */
  private TreeMap<Integer, Path> levels() throws IOException {
    try (ModelCatalog catalog = ModelCatalog.fromEnvironment()) {
      TreeMap<Integer, Path> levels = new TreeMap<>();
      catalog.qualityLevels(model).forEach((q, e) -> levels.put(q, e.directory()));
      if (levels.isEmpty()) {
        Path dir = catalog.locate(model, null);
        int q = JSON.readTree(dir.resolve("manifest.json").toFile()).path("quality").asInt();
        levels.put(q, dir);
      }
      return levels;
    }
  }

  /**
   * The training frames in one flat folder (hard links where possible), as the service's run
   * snapshot is.
   */
  static Path linkTrainingFrames(FootageSplit split, Path folder) throws IOException {
    Files.createDirectories(folder);
    for (int i : split.train()) {
      Path from = split.frames().get(i);
      Path to = folder.resolve(from.getFileName());
      Files.deleteIfExists(to);
      try {
        Files.createLink(to, from);
      } catch (IOException | UnsupportedOperationException linkFailed) {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return folder;
  }

  private static Map<String, List<FrameReservoir.Frame>> heldoutFrames(
      String camera, FootageSplit split) {
    List<FrameReservoir.Frame> frames = new ArrayList<>();
    for (int i : split.heldout()) {
      frames.add(
          new FrameReservoir.Frame(
              camera, i, i, FrameReservoir.Split.HELDOUT, split.frames().get(i)));
    }
    return Map.of(camera, frames);
  }

  /**
   * Seconds between two scheduled runs: the shortest gap of the cron expression's next firings,
   * else {@code schedule.interval.ms}; 0 when runs are on demand only.
   */
  static long scheduleSeconds(TrainerServiceConfig cfg) {
    CronSchedule cron = cfg.cron();
    if (cron == null) {
      return cfg.getLong(TrainerServiceConfig.SCHEDULE_INTERVAL_MS) / 1000;
    }
    Instant t = cron.next(Instant.now());
    long shortest = Long.MAX_VALUE;
    for (int i = 0; i < 500; i++) {
      Instant n = cron.next(t);
      shortest = Math.min(shortest, n.getEpochSecond() - t.getEpochSecond());
      t = n;
    }
    return shortest;
  }

  private ObjectNode report(
      Path footageDir,
      FootageSplit split,
      TrainerServiceConfig cfg,
      List<Level> results,
      double bdRate,
      double runSeconds,
      long budgetSeconds,
      double load0,
      double load1,
      Path workDir) {
    ObjectNode json = JSON.createObjectNode();
    json.put("benchmark", "bench-retrain");
    json.put("time", Instant.now().toString());
    ArrayNode args = json.putArray("arguments");
    spec.commandLine().getParseResult().originalArgs().forEach(args::add);
    ObjectNode machine = json.putObject("machine");
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("java", System.getProperty("java.version"));
    machine.put("loadAverageStart", load0);
    machine.put("loadAverageEnd", load1);
    ObjectNode data = json.putObject("footage");
    data.put("folder", footageDir.toString());
    data.put("frames", split.frames().size());
    ObjectNode s = json.putObject("split");
    s.put("trainPeriod", trainFrames);
    s.put("trainStride", trainStride);
    s.put("gap", gap);
    s.set("train", indices(split.train()));
    s.set("heldout", indices(split.heldout()));
    ObjectNode training = json.putObject("training");
    training.put("stepsPerLevel", cfg.getLong(TrainerServiceConfig.TRAIN_STEPS));
    training.put("batch", cfg.getInt(TrainerServiceConfig.TRAIN_BATCH));
    training.put("crop", cfg.getString(TrainerServiceConfig.TRAIN_CROP));
    training.put("learningRate", cfg.getDouble(TrainerServiceConfig.TRAIN_LEARNING_RATE));
    training.put("seed", cfg.getLong(TrainerServiceConfig.TRAIN_SEED));
    training.put("workFolder", workDir.toString());
    ArrayNode levels = json.putArray("levels");
    for (Level l : results) {
      ObjectNode n = levels.addObject();
      n.put("quality", l.quality());
      n.set("generic", score(l.generic(), l.before()));
      ObjectNode tuned = score(l.fineTuned(), l.after());
      tuned.put("package", l.fineTunedDir().toString());
      n.set("fineTuned", tuned);
      n.put("bppChangePercent", 100 * (l.after().bpp() - l.before().bpp()) / l.before().bpp());
      n.put("psnrChangeDb", l.after().psnr() - l.before().psnr());
      n.put("dominates", dominates(l));
      n.put("steps", l.steps());
      n.put("fineTuneSeconds", l.fineTuneSeconds());
      n.put("evaluationSeconds", l.evalSeconds());
      ObjectNode gate = n.putObject("gate");
      gate.put("promote", l.decision().promote());
      gate.put("genericCost", l.decision().championCost());
      gate.put("fineTunedCost", l.decision().challengerCost());
      gate.put("reason", l.decision().reason());
    }
    if (Double.isFinite(bdRate)) {
      json.put("bdRatePercent", bdRate);
      json.put("meetsTarget", bdRate <= TARGET_BD_RATE);
    } else {
      json.putNull("bdRatePercent");
      json.put(
          "bdRateNote",
          results.size() < 2
              ? "BD-rate needs at least two quality levels; " + results.size() + " available"
              : "the PSNR ranges of the two curves do not overlap");
    }
    json.put("targetBdRatePercent", TARGET_BD_RATE);
    json.put("retrainingRunSeconds", runSeconds);
    json.put("scheduleIntervalSeconds", budgetSeconds);
    if (budgetSeconds > 0) {
      json.put("fitsSchedule", runSeconds <= budgetSeconds);
    }
    return json;
  }

  /** The fine-tuned model needs no more bits and gives no lower PSNR than the generic one. */
  private static boolean dominates(Level l) {
    return l.after().bpp() <= l.before().bpp() && l.after().psnr() >= l.before().psnr();
  }

  private static ObjectNode score(String version, CodecEvaluation.Score score) {
    ObjectNode n = JSON.createObjectNode();
    n.put("version", version);
    n.put("frames", score.frames());
    n.put("bpp", score.bpp());
    n.put("psnr", score.psnr());
    n.put("mse", score.mse());
    return n;
  }

  private static ArrayNode indices(List<Integer> list) {
    ArrayNode a = JSON.createArrayNode();
    list.forEach(a::add);
    return a;
  }

  private void printTable(
      List<Level> results, double bdRate, double runSeconds, long budgetSeconds) {
    PrintStream o = System.out;
    o.printf(
        Locale.ROOT,
        "%-5s %-10s %-45s %8s %8s %9s %10s %8s%n",
        "level",
        "model",
        "version",
        "bpp",
        "PSNR",
        "Δbpp",
        "fine-tune",
        "eval");
    for (Level l : results) {
      o.printf(
          Locale.ROOT,
          "q%-4d %-10s %-45s %8.4f %8.2f %9s %10s %8s%n",
          l.quality(),
          "generic",
          l.generic(),
          l.before().bpp(),
          l.before().psnr(),
          "",
          "",
          "");
      o.printf(
          Locale.ROOT,
          "%-5s %-10s %-45s %8.4f %8.2f %8.1f%% %9.0fs %7.0fs%n",
          "",
          "fine-tuned",
          l.fineTuned(),
          l.after().bpp(),
          l.after().psnr(),
          100 * (l.after().bpp() - l.before().bpp()) / l.before().bpp(),
          l.fineTuneSeconds(),
          l.evalSeconds());
      if (dominates(l)) {
        o.printf(
            Locale.ROOT,
            "%-5s fewer bits and higher PSNR than the generic model (it dominates)%n",
            "");
      }
      o.printf(Locale.ROOT, "%-5s gate: %s%n", "", l.decision().reason());
    }
    if (Double.isFinite(bdRate)) {
      o.printf(
          Locale.ROOT,
          "BD-rate of the fine-tuned ladder vs the generic one on the held-out frames: %+.1f%%"
              + " (target ≤ %.0f%%: %s)%n",
          bdRate,
          TARGET_BD_RATE,
          bdRate <= TARGET_BD_RATE ? "met" : "not met");
    } else {
      o.printf(
          Locale.ROOT,
          "BD-rate: n/a (%s)%n",
          results.size() < 2
              ? "needs at least two quality levels, "
                  + results.size()
                  + " available; compare bpp and PSNR above"
              : "the PSNR ranges of the two curves do not overlap");
    }
    o.printf(
        Locale.ROOT,
        "retraining run (every level: fine-tune + evaluation): %.0f s; %s%n",
        runSeconds,
        budgetSeconds > 0
            ? String.format(
                Locale.ROOT,
                "schedule: one run every %d s, %s",
                budgetSeconds,
                runSeconds <= budgetSeconds ? "fits" : "does NOT fit")
            : "schedule: on demand only");
  }

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new RetrainBench(System.err)).execute(args));
  }
}
