package io.latentstream.trainer.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.schemas.EvaluationMetrics;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.TrainingDataSummary;
import io.latentstream.schemas.files.FileTrees;
import io.latentstream.trainer.TrainingRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One retraining run: copy the reservoir, find the champion, fine-tune it ({@code --init}) on the
 * training frames with the training engine, evaluate challenger and champion with the real codec on
 * the held-out frames, ask the {@link PromotionGate}, and publish the challenger when it passes.
 * Every outcome ends in {@link RunStatus} with a reason; a failure at any step publishes nothing
 * (the publication is one Kafka transaction, the last step).
 *
 * <p>Not thread-safe; single use, on the service's run thread.
 */
final class RetrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(RetrainingRun.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern STEP = Pattern.compile(" step (\\d+)/(\\d+) ");

  private final TrainerServiceConfig config;
  private final String modelName;
  private final FrameReservoir reservoir;
  private final ReleaseHistory releases;
  private final ReleasePublisher publisher;
  private final Path runDir;
  private final long seed;
  private final Clock clock;

  RetrainingRun(
      TrainerServiceConfig config,
      String modelName,
      FrameReservoir reservoir,
      ReleaseHistory releases,
      ReleasePublisher publisher,
      Path runDir,
      long seed,
      Clock clock) {
    this.config = config;
    this.modelName = modelName;
    this.reservoir = reservoir;
    this.releases = releases;
    this.publisher = publisher;
    this.runDir = runDir;
    this.seed = seed;
    this.clock = clock;
  }

  /** Runs to the end; never throws: the outcome is in {@code status}. */
  void execute(RunStatus status) {
    try {
      executeOrThrow(status);
    } catch (TrainingRun.DivergedException e) {
      fail(status, "training diverged (non-finite loss): " + e.getMessage(), e);
    } catch (KafkaException e) {
      fail(
          status,
          "Kafka unavailable or refused the operation in state " + status.state() + ": " + e,
          e);
    } catch (OutOfMemoryError e) {
      fail(status, "out of memory in state " + status.state() + ": " + e.getMessage(), e);
    } catch (Exception | Error e) {
      fail(status, status.state().name().toLowerCase(Locale.ROOT) + " failed: " + e, e);
    } finally {
      writeRecord(status);
      removeScratch(runDir);
    }
  }

  /**
   * Removes what a run needs only while it runs: {@code data/} (hard links to reservoir frames,
   * which would keep frames the reservoir dropped on disk) and {@code train/} (checkpoints and the
   * challenger package, which the publisher has copied to the models directory if it was promoted).
   * {@code run.json} stays.
   */
  static void removeScratch(Path runDir) {
    for (String scratch : List.of("data", "train")) {
      Path p = runDir.resolve(scratch);
      if (!FileTrees.deleteQuietly(p)) {
        LOG.warn("cannot remove {}", p);
      }
    }
  }

  private void executeOrThrow(RunStatus status) throws Exception {
    status.begin(clock.instant());
    Files.createDirectories(runDir);
    FrameReservoir.Snapshot data = reservoir.copyTo(runDir.resolve("data"));
    status.data(data.trainCount(), data.heldoutCount(), data.heldout().size());
    int minTrain = config.getInt(TrainerServiceConfig.RUN_MIN_TRAIN_FRAMES);
    int minHeldout = config.getInt(TrainerServiceConfig.RUN_MIN_HELDOUT_FRAMES);
    if (data.trainCount() < minTrain || data.heldoutCount() < minHeldout) {
      finish(
          status,
          RunStatus.State.SKIPPED,
          String.format(
              Locale.ROOT,
              "not enough frames in the reservoir:"
                  + " %d training (need %d), %d held out (need %d)",
              data.trainCount(),
              minTrain,
              data.heldoutCount(),
              minHeldout));
      return;
    }
    ReleaseHistory.Champion champion = releases.champion(modelName);
    status.champion(champion.version());
    FineTuning fineTuning = FineTuning.of(config, champion.packageDir(), champion.version());
    double trainLambda = fineTuning.trainLambda();
    double gateLambda = fineTuning.gateLambda();

    status.state(RunStatus.State.TRAINING);
    long steps = fineTuning.steps();
    status.progress(0, steps);
    int[] crop = config.crop();
    Path challengerDir;
    try (PrintStream progress = progressStream(status)) {
      challengerDir =
          fineTuning.run(
              runDir.resolve("data").resolve("train"),
              runDir.resolve("train"),
              seed,
              "trainer service run " + status.id() + " (fine-tune " + champion.version() + ")",
              progress);
    }
    status.challenger(challengerDir.getFileName().toString());

    status.state(RunStatus.State.EVALUATING);
    CodecEvaluation.Result before = CodecEvaluation.evaluate(champion.packageDir(), data.heldout());
    CodecEvaluation.Result after = CodecEvaluation.evaluate(challengerDir, data.heldout());
    PromotionGate gate =
        new PromotionGate(
            gateLambda,
            config.getDouble(TrainerServiceConfig.GATE_MIN_IMPROVEMENT),
            config.getDouble(TrainerServiceConfig.GATE_CAMERA_TOLERANCE));
    PromotionGate.Decision decision = gate.decide(before, after);
    status.scores(before, after, decision, gateLambda);
    LOG.info("run {}: {}", status.id(), decision.reason());
    if (!decision.promote()) {
      finish(
          status,
          RunStatus.State.KEPT_CHAMPION,
          decision.reason() + "; " + champion.version() + " stays");
      return;
    }

    status.state(RunStatus.State.PUBLISHING);
    ModelRelease release =
        publisher.publish(
            challengerDir, releaseOf(champion, data, after, decision, steps, trainLambda, crop));
    finish(
        status,
        RunStatus.State.PROMOTED,
        decision.reason()
            + "; published "
            + release.getVersion()
            + " (parent "
            + champion.version()
            + ")");
  }

  private ModelRelease.Builder releaseOf(
      ReleaseHistory.Champion champion,
      FrameReservoir.Snapshot data,
      CodecEvaluation.Result after,
      PromotionGate.Decision d,
      long steps,
      double lambda,
      int[] crop) {
    Map<String, Double> extra = new HashMap<>();
    extra.put("cost", d.challengerCost());
    extra.put("parentCost", d.championCost());
    extra.put("improvement", d.improvement());
    extra.put("mse", after.overall().mse());
    extra.put("cameras", (double) after.perCamera().size());
    return ModelRelease.newBuilder()
        .setParentVersion(champion.version())
        .setMetrics(
            EvaluationMetrics.newBuilder()
                .setDataset(
                    config.getString(TrainerServiceConfig.TOPIC_SAMPLE) + " held-out frames")
                .setImageCount(after.overall().frames())
                .setBpp(after.overall().bpp())
                .setPsnr(after.overall().psnr())
                .setAdditional(extra)
                .build())
        .setTrainingData(
            TrainingDataSummary.newBuilder()
                .setSources(List.of(config.getString(TrainerServiceConfig.TOPIC_SAMPLE)))
                .setImageCount(data.trainCount())
                .setSteps(steps)
                .setDescription(
                    String.format(
                        Locale.ROOT,
                        "fine-tuned from %s on %d frames of %d camera(s), crops"
                            + " %dx%d, lambda %.4g",
                        champion.version(),
                        data.trainCount(),
                        data.train().size(),
                        crop[0],
                        crop[1],
                        lambda))
                .build())
        .setStatusReason(d.reason());
  }

  private void finish(RunStatus status, RunStatus.State state, String reason) {
    status.finish(state, reason, clock.instant());
    LOG.info("run {} {}: {}", status.id(), state, reason);
  }

  private void fail(RunStatus status, String reason, Throwable e) {
    status.finish(RunStatus.State.FAILED, reason, clock.instant());
    LOG.error(
        "run {} failed; nothing was published and the champion stays: {}", status.id(), reason, e);
  }

  private void writeRecord(RunStatus status) {
    try {
      Files.createDirectories(runDir);
      JSON.writerWithDefaultPrettyPrinter()
          .writeValue(runDir.resolve("run.json").toFile(), status.toJson(JSON));
    } catch (IOException e) {
      LOG.warn("cannot write the record of run {}: {}", status.id(), e.toString());
    }
  }

  /** The training engine's progress lines, logged and turned into {@link RunStatus#progress}. */
  private PrintStream progressStream(RunStatus status) {
    OutputStream lines =
        new OutputStream() {
          private final ByteArrayOutputStream line = new ByteArrayOutputStream();

          @Override
          public void write(int b) {
            if (b == '\n') {
              String text = line.toString(StandardCharsets.UTF_8);
              line.reset();
              Matcher m = STEP.matcher(text);
              if (m.find()) {
                status.progress(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
              }
              LOG.info("run {}: {}", status.id(), text);
            } else {
              line.write(b);
            }
          }
        };
    return new PrintStream(lines, true, StandardCharsets.UTF_8);
  }
}
