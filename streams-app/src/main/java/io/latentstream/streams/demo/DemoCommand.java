package io.latentstream.streams.demo;

import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.image.CameraSimulator;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.ModelCatalog;
import io.latentstream.platform.LocalPlatform;
import io.latentstream.platform.PortInUseException;
import io.latentstream.schemas.files.FileTrees;
import io.latentstream.streams.StreamsApp;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.feed.CameraFeed;
import io.latentstream.streams.feed.FrameTally;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./latentstream demo}: the whole pipeline on this machine. Starts the local broker and
 * schema registry (child JVMs, data kept in {@code --data-dir}), the streams app in this JVM and
 * the retraining service in a child JVM ({@link DemoTrainer}), publishes the frames of a few
 * simulated fixed cameras ({@link CameraSimulator}, {@link DemoTraffic}), waits until every frame
 * is on the latent topic or the dead-letter topic (read_committed), then writes the report ({@link
 * DemoReport}) and prints a summary.
 *
 * <p>Retraining: the streams app samples frames to {@code images.sample} at a rate that gives the
 * trainer a few dozen frames; once they are stored the demo asks for one run ({@code POST
 * /retrain}: fine-tune the current model for {@code --retrain-steps}, evaluate champion and
 * challenger with the real codec, real promotion gate, signed release). The cameras publish the
 * first three quarters of their frames meanwhile and hold the last quarter until the run is decided
 * (and, when promoted, the streams app has switched), so the report shows which frames each model
 * version encoded. The demo's own Ed25519 key pair (in the data directory) signs the releases and
 * the streams app is configured with its public key: no unsigned package is accepted.
 *
 * <p>Exit codes: 0 when every frame came out as a latent and none was dead-lettered, 1 otherwise or
 * on failure, 2 for bad arguments or a taken port. Everything started is stopped at the end, on
 * failure and on Ctrl-C (a shutdown hook). One run per instance; not thread-safe.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs the pipeline on a local broker and registry with simulated cameras and writes a report."
    })
public final class DemoCommand implements Callable<Integer> {

  private static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";
  private static final Pattern SIZE = Pattern.compile("(\\d+)x(\\d+)");
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  /** Sampled frames the demo aims to give the trainer before it asks for a run. */
  private static final int TARGET_SAMPLES = 60;

  /**
   * Share of each camera's frames published before the cameras wait for the retraining run to be
   * decided.
   */
  private static final double BEFORE_RETRAINING = 0.75;

  @Option(
      names = "--frames",
      defaultValue = "200",
      paramLabel = "N",
      description = "Frames per camera (default: ${DEFAULT-VALUE}).")
  int framesPerCamera;

  @Option(
      names = "--cameras",
      defaultValue = "4",
      paramLabel = "C",
      description = "Simulated cameras (default: ${DEFAULT-VALUE}).")
  int cameras;

  @Option(
      names = "--size",
      defaultValue = "640x480",
      paramLabel = "WxH",
      description = "Frame size, RGB24 (default: ${DEFAULT-VALUE}).")
  String size;

  @Option(
      names = "--report",
      defaultValue = "demo-report",
      paramLabel = "DIR",
      description = "Where report.json, report.html and its images go (default: ${DEFAULT-VALUE}).")
  Path reportDir;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Models promoted, the trainer's reservoir, the signing key, broker and app state; the next run"
              + " continues from the newest model unless --clean (default: .latentstream/demo of the project).")
  Path dataDir;

  @Option(
      names = "--clean",
      description = "Delete the data directory first (promoted models, reservoir, key).")
  boolean clean;

  @Option(
      names = "--model",
      defaultValue = "default",
      paramLabel = "NAME",
      description =
          "Model family or package name in the models directory (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = "--quality",
      paramLabel = "N",
      description = "Quality level of the family (default: the middle one).")
  Integer quality;

  @Option(
      names = "--models-dir",
      paramLabel = "DIR",
      description = "Models directory (default: models/).")
  Path modelsDir;

  @Option(
      names = "--photos",
      paramLabel = "DIR",
      description = "Photos to film (default: data/photos).")
  Path photos;

  @Option(names = "--broker-port", defaultValue = "9092", paramLabel = "PORT")
  int brokerPort;

  @Option(names = "--controller-port", defaultValue = "9093", paramLabel = "PORT")
  int controllerPort;

  @Option(names = "--registry-port", defaultValue = "8081", paramLabel = "PORT")
  int registryPort;

  @Option(
      names = "--footage",
      paramLabel = "DIR",
      description =
          "Fixed-camera footage (PNG frames in time order) the last camera plays when the folder exists"
              + " (default: .latentstream/footage/vtest, written by trainer/scripts/fetch-fixed-camera.sh).")
  Path footage;

  @Option(names = "--no-retrain", description = "Do not run the retraining service.")
  boolean noRetrain;

  @Option(
      names = "--retrain-steps",
      defaultValue = "200",
      paramLabel = "N",
      description = "Fine-tuning steps of the retraining run (default: ${DEFAULT-VALUE}).")
  long retrainSteps;

  @Option(
      names = "--retrain-timeout",
      defaultValue = "1200",
      paramLabel = "SECONDS",
      description =
          "Stop waiting for the retraining run after this long (default: ${DEFAULT-VALUE}).")
  int retrainTimeoutSeconds;

  @Option(
      names = "--trainer-set",
      paramLabel = "KEY=VALUE",
      description =
          "A retraining service setting (trainer/SERVICE.md), e.g. train.learning.rate=2e-4; repeatable.")
  Map<String, String> trainerSettings = new LinkedHashMap<>();

  @Option(
      names = "--stall-timeout",
      defaultValue = "120",
      paramLabel = "SECONDS",
      description =
          "Give up when no frame is accounted for during this long (default: ${DEFAULT-VALUE}).")
  int stallSeconds;

  @Spec CommandSpec spec;

  private final Deque<AutoCloseable> open = new ArrayDeque<>();
  private final Thread hook =
      new Thread(
          () -> {
            System.err.println(
                "demo: stopping (the broker may be gone first: connection warnings are expected) ...");
            closeAll();
          },
          "demo-shutdown");

  public static void main(String[] args) {
    // the clients and the app log every rebalance and commit at INFO: the progress line would drown
    // in it
    if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
      System.setProperty(LOG_LEVEL_PROPERTY, "warn");
    }
    System.exit(new CommandLine(new DemoCommand()).execute(args));
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return run(spec.commandLine().getOut(), err);
    } catch (PortInUseException e) {
      err.println(
          "demo: "
              + e.getMessage()
              + " (stop what uses it, or pick others with --broker-port,"
              + " --controller-port, --registry-port)");
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("demo: interrupted");
      return 1;
    } catch (IOException | RuntimeException e) {
      LoggerFactory.getLogger(DemoCommand.class).error("demo failed", e);
      err.println("demo: failed: " + e.getMessage());
      return 1;
    } finally {
      err.flush();
      closeAll();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is exiting: the hook runs and finds nothing left to close
      }
    }
  }

  private int run(PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
    Matcher wh = SIZE.matcher(size.toLowerCase(Locale.ROOT));
    if (!wh.matches() || framesPerCamera < 1 || cameras < 1 || retrainSteps < 1) {
      err.println(
          "demo: need --size WIDTHxHEIGHT (e.g. 640x480), --frames, --cameras and --retrain-steps of at"
              + " least 1");
      return 2;
    }
    int width = Integer.parseInt(wh.group(1));
    int height = Integer.parseInt(wh.group(2));
    boolean retrain = !noRetrain;
    Path root = Paths.get(System.getProperty("latentstream.root", ".")).toAbsolutePath();
    Path photoDir = photos != null ? photos : root.resolve("data/photos");
    Path footageDir = footage != null ? footage : root.resolve(".latentstream/footage/vtest");
    Path data = (dataDir != null ? dataDir : root.resolve(".latentstream/demo")).toAbsolutePath();
    if (clean) {
      FileTrees.deleteTree(data);
    } else if (Files.isDirectory(data.resolve("platform"))) {
      progress(
          err,
          "reusing "
              + data
              + ": the models promoted so far, the trainer's sampled frames and the signing"
              + " key stay (--clean starts afresh); topics start empty");
    }
    // The broker and the registry start empty every time (the platform itself would keep topics and
    // schemas across
    // runs), and what carries over is on disk: both model directories (the newest package is the
    // champion), the
    // reservoir.
    FileTrees.deleteTree(data.resolve("platform"));
    FileTrees.deleteTree(data.resolve("streams-state"));
    Files.createDirectories(data);
    List<Path> trainerClasspath =
        retrain ? DemoTrainer.classpath(root) : List.of(); // fails early when not built

    progress(err, "reading photos from " + photoDir);
    CameraFeed frames =
        new CameraFeed(
            CameraSimulator.load(photoDir, footageDir, width, height, cameras),
            "demo-cam-",
            framesPerCamera);
    if (frames.simulator().footageFrames() > 0) {
      progress(
          err,
          frames.cameraId(cameras - 1)
              + " plays the fixed-camera footage in "
              + footageDir
              + " ("
              + frames.simulator().footageFrames()
              + " frames)");
    }
    ModelCatalog catalog =
        add(modelsDir != null ? new ModelCatalog(modelsDir, 4) : ModelCatalog.fromEnvironment());
    Path packageDir = catalog.locate(model, quality);
    ModelCatalog.Entry entry =
        new ModelCatalog(packageDir.getParent(), 1)
            .entries().stream()
                .filter(e -> e.directory().equals(packageDir))
                .findFirst()
                .orElseThrow();
    if (entry.family().isEmpty()) {
      err.println(
          "demo: the streams app encodes with a package named <family>-q<N>; "
              + packageDir.getFileName()
              + " is not one");
      return 2;
    }
    // The streams app and the trainer each keep their own models directory in the data directory:
    // both copy the
    // packages they fetch from Kafka into it, and the bundled models/ stays as it is.
    Path streamsModels = data.resolve("models/streams");
    DemoTrainer.installPackage(packageDir, streamsModels);
    Path privateKey = DemoTrainer.ensureKeyPair(data.resolve("keys"));
    CodecModel encoderModel =
        add(CodecModel.load(streamsModels.resolve(packageDir.getFileName().toString())));

    progress(err, "starting the local broker and schema registry (data in " + data + ") ...");
    LocalPlatform platform =
        add(
            LocalPlatform.builder()
                .optBrokerPort(brokerPort)
                .optControllerPort(controllerPort)
                .optRegistryPort(registryPort)
                .optDataDir(data.resolve("platform"))
                .start());

    int holdAt =
        retrain
            ? Math.max(1, (int) Math.floor(framesPerCamera * BEFORE_RETRAINING))
            : framesPerCamera;
    double sampleRate = Math.min(1.0, Math.max(0.02, (double) TARGET_SAMPLES / (holdAt * cameras)));
    Map<String, Object> settings = new HashMap<>();
    settings.put(StreamsAppConfig.BOOTSTRAP_SERVERS, platform.bootstrapServers());
    settings.put(StreamsAppConfig.SCHEMA_REGISTRY_URL, platform.registryUrl());
    settings.put(StreamsAppConfig.APPLICATION_ID, "latentstream-demo");
    settings.put(StreamsAppConfig.MODELS_DIR, streamsModels.toString());
    settings.put(StreamsAppConfig.MODEL_NAME, entry.family().get());
    settings.put(StreamsAppConfig.MODEL_QUALITY, entry.quality().get());
    settings.put(StreamsAppConfig.MODEL_PUBLIC_KEY, DemoTrainer.publicKey(privateKey));
    if (retrain) {
      settings.put(StreamsAppConfig.SAMPLE_RATE, sampleRate);
      // the cameras' capture clock runs a frame per millisecond: a per-minute cap would stop the
      // sample at once
      settings.put(StreamsAppConfig.SAMPLE_MAX_PER_MINUTE, 1_000_000);
    }
    settings.put(StreamsAppConfig.HTTP_PORT, 0);
    settings.put(StreamsConfig.STATE_DIR_CONFIG, data.resolve("streams-state").toString());
    StreamsAppConfig config = StreamsAppConfig.of(settings);
    String rawTopic = config.getString(StreamsAppConfig.TOPIC_RAW);
    String latentTopic = config.getString(StreamsAppConfig.TOPIC_LATENT);
    String dlqTopic = config.getString(StreamsAppConfig.TOPIC_DLQ);

    progress(err, "starting the streams app ...");
    StreamsApp app = StreamsApp.start(config);
    add(
        () -> {
          // On Ctrl-C the broker child is stopped by its own hook meanwhile: a short close, then
          // leave it to the exit.
          if (Thread.currentThread() == hook && !app.streams().close(Duration.ofSeconds(5))) {
            return;
          }
          app.close();
        });
    app.awaitReady(READY_TIMEOUT);
    String startVersion = app.models().currentVersion();
    out.println(
        "demo: streams app ready, model "
            + startVersion
            + " (REST on http://127.0.0.1:"
            + app.http().port()
            + "/)");
    out.flush();

    DemoTrainer trainer = null;
    if (retrain) {
      Path trainerModels = data.resolve("models/trainer");
      DemoTrainer.installPackage(packageDir, trainerModels);
      Map<String, String> t = new LinkedHashMap<>();
      t.put("bootstrap.servers", platform.bootstrapServers());
      t.put("schema.registry.url", platform.registryUrl());
      t.put("group.id", "latentstream-demo-trainer");
      t.put("topic.sample", config.getString(StreamsAppConfig.TOPIC_SAMPLE));
      t.put("topic.releases", config.getString(StreamsAppConfig.TOPIC_RELEASES));
      t.put("topic.artifacts", config.getString(StreamsAppConfig.TOPIC_ARTIFACTS));
      t.put("model.names", app.models().modelName());
      t.put("models.dir", trainerModels.toString());
      t.put("work.dir", data.resolve("trainer/runs").toString());
      t.put("reservoir.dir", data.resolve("trainer/reservoir").toString());
      t.put("train.steps", Long.toString(retrainSteps));
      t.put("schedule.interval.ms", "0"); // on demand: the demo asks once enough frames are sampled
      t.put("signing.private.key.file", privateKey.toString());
      t.putAll(trainerSettings);
      progress(
          err,
          "starting the retraining service (child JVM, log in "
              + data.resolve("trainer/trainer.log")
              + ") ...");
      trainer = add(DemoTrainer.start(trainerClasspath, data.resolve("trainer"), t, READY_TIMEOUT));
    }

    DemoRetraining retraining = new DemoRetraining(retrainTimeoutSeconds);
    long triggerAt = Math.max(1, Math.round(0.8 * sampleRate * holdAt * cameras));
    DemoTraffic.Outcome run =
        new DemoTraffic(
                app, config, frames, trainer, retraining, holdAt, triggerAt, stallSeconds, err)
            .run(add(new ModelCatalog(streamsModels, 4)));
    FrameTally tally = run.tally();
    int total = frames.total();
    int latents = tally.latents();
    int dlq = tally.deadLetters();
    double seconds = run.seconds();
    double encodingSeconds = seconds - run.heldSeconds();
    progress(
        err,
        String.format(
            Locale.ROOT,
            "all %d frames accounted for in %.1f s; measuring quality ...",
            total,
            seconds));

    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("date", Instant.now().toString());
    counts.put("frameSize", width + "x" + height);
    counts.put("pixelFormat", "RGB24");
    counts.put("cameras", cameras);
    counts.put("framesPerCamera", framesPerCamera);
    counts.put(
        "footageCamera",
        frames.simulator().footageFrames() > 0 ? frames.cameraId(cameras - 1) : null);
    counts.put("framesIn", total);
    counts.put("latentsOut", latents);
    counts.put("dlqCount", dlq);
    counts.put("duplicates", tally.duplicates());
    counts.put("throughputFps", encodingSeconds > 0 ? latents / encodingSeconds : Double.NaN);
    counts.put("elapsedSeconds", seconds);
    counts.put("camerasHeldSeconds", run.heldSeconds());
    counts.put(
        "meanBppAllFrames", 8.0 * tally.latentBytes() / Math.max(1, latents) / (width * height));
    counts.put("latentBytes", tally.latentBytes());
    counts.put("keyFrames", tally.keyFrames());
    counts.put("bytesPerFrame", tally.bytesPerFrame());
    counts.put("keyFramePerFrame", tally.keyFramePerFrame());
    counts.put("modelVersionsSeen", run.versions());
    counts.put("framesPerModelVersion", run.framesPerVersion());
    counts.put("sampleRate", retrain ? sampleRate : config.getDouble(StreamsAppConfig.SAMPLE_RATE));
    counts.put("retrainingRuns", retraining.report(run.framesPerVersion()));
    counts.put("retraining", retrain ? retraining.summary() : "not run (--no-retrain)");
    if (trainer != null) {
      counts.put("trainerLog", trainer.logFile().toString());
    }
    closeAll(); // frees the CPU for the quality measurement
    ModelCatalog decoders = add(new ModelCatalog(streamsModels, 4));
    LearnedCodec codec = new LearnedCodec(encoderModel, decoders);
    Map<String, Object> report =
        new DemoReport().write(reportDir, counts, run.sample(), frames, codec);
    add(catalog);
    add(encoderModel);

    boolean ok = latents == total && dlq == 0;
    out.println();
    out.printf(
        Locale.ROOT,
        "demo: %d cameras x %d frames of %s: %d in, %d latents out, %d dead letters%n",
        cameras,
        framesPerCamera,
        width + "x" + height,
        total,
        latents,
        dlq);
    out.printf(
        Locale.ROOT,
        "  throughput %.2f frames/s over %.1f s of encoding; frames per model version %s%n",
        report.get("throughputFps"),
        encodingSeconds,
        run.framesPerVersion());
    out.printf(
        Locale.ROOT,
        "  mean %.3f bpp, %.2f dB PSNR (on %d decoded frames)%n",
        report.get("meanBpp"),
        report.get("meanPsnr"),
        report.get("qualitySampleFrames"));
    out.printf(
        Locale.ROOT,
        "  %.1fx smaller than raw RGB24; JPEG at equal PSNR needs %.2fx the bytes of the latents"
            + " (above 1: the learned codec wins)%n",
        report.get("compressionRatioVsRaw"),
        report.get("compressionRatioVsJpegAtEqualPsnr"));
    out.println("  retraining: " + counts.get("retraining"));
    out.println("  report: " + reportDir.toAbsolutePath().resolve("report.html"));
    out.println(ok ? "demo: ok" : "demo: FAILED: not every frame came out as a latent");
    out.flush();
    return ok ? 0 : 1;
  }

  private <T extends AutoCloseable> T add(T resource) {
    synchronized (open) {
      open.push(resource);
    }
    return resource;
  }

  private void closeAll() {
    while (true) {
      AutoCloseable next;
      synchronized (open) {
        next = open.poll();
      }
      if (next == null) {
        return;
      }
      try {
        next.close();
      } catch (Exception e) {
        LoggerFactory.getLogger(DemoCommand.class)
            .warn("closing {} failed: {}", next, e.toString());
      }
    }
  }

  static void progress(PrintWriter err, String line) {
    err.println("demo: " + line);
    err.flush();
  }
}
