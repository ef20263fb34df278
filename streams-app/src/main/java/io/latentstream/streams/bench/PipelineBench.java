package io.latentstream.streams.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.image.CameraSimulator;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.ModelCatalog;
import io.latentstream.codec.sequence.FrameReceiver;
import io.latentstream.platform.LocalPlatform;
import io.latentstream.platform.LoopbackPorts;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.feed.CameraFeed;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./latentstream bench-pipeline}: throughput of the whole streams pipeline against the codec
 * alone, measured in the same run on the same frames, and the pipeline's end-to-end latency.
 *
 * <p>Each run measures the pipeline, a fresh {@code StreamsApp} in this JVM (exactly-once v2, the
 * same model package) fed by a producer and read by a read_committed consumer ({@link
 * PipelineRun}), against {@link LearnedCodec#compress} in a loop over the run's frames on as many
 * threads as the app has stream threads ({@link CodecLoop}), measured right before and right after
 * the run (A B A B ... A: each loop serves the runs on both sides of it). Before the first run,
 * {@code --warmup-runs} untimed pipeline passes do the JIT work of this JVM and of the broker, as a
 * long-running deployment has. Every figure is reported per run and as the median over the runs,
 * with where the CPU went ({@link CpuMeter}: by thread of this JVM, the broker, the rest of the
 * machine) and where the stream thread's time went ({@link StreamThreadClock}: encoding,
 * committing, waiting for input), measured over the same frames as the throughput. The broker and
 * registry are a {@link LocalPlatform} on free loopback ports with a temporary data directory,
 * unless {@code --bootstrap} and {@code --registry} name running ones.
 *
 * <p>Exit codes: 0 after a complete benchmark, 1 when a run fails, 2 for bad arguments. Everything
 * started is stopped at the end, on failure and on Ctrl-C ({@link BenchResources}). One benchmark
 * per instance; not thread-safe.
 */
@Command(
    name = "bench-pipeline",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measures the streams pipeline (images.raw -> StreamsApp, exactly-once -> images.latent) against"
          + " the codec alone in a loop, in the same run, on real photos; prints a table and writes JSON."
    })
public final class PipelineBench implements Callable<Integer> {

  private static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";
  private static final Pattern SIZE = Pattern.compile("(\\d+)x(\\d+)");

  /**
   * Seconds of codec throughput kept in flight when {@code --in-flight} is not given; see {@link
   * #benchmark}.
   */
  private static final double IN_FLIGHT_SECONDS = 1.0;

  private static final int MIN_IN_FLIGHT = 8;

  /** Kafka Streams' commit interval under exactly-once when none is set. */
  private static final long EOS_DEFAULT_COMMIT_INTERVAL_MS = 100;

  @Option(
      names = "--model",
      defaultValue = "default",
      paramLabel = "PATH|NAME",
      description = "Model package directory, version, name or family (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--quality", paramLabel = "N", description = "Quality level of a model family.")
  Integer quality;

  @Option(
      names = "--size",
      defaultValue = "640x480",
      paramLabel = "WxH",
      description =
          "Frame size; photos are scaled and centre-cropped to it (default: ${DEFAULT-VALUE}).")
  String size;

  @Option(
      names = "--frames",
      defaultValue = "100",
      paramLabel = "N",
      description = "Frames per camera in each run (default: ${DEFAULT-VALUE}).")
  int framesPerCamera;

  @Option(
      names = "--cameras",
      defaultValue = "4",
      paramLabel = "C",
      description = "Cameras (record keys) sending frames (default: ${DEFAULT-VALUE}).")
  int cameras;

  @Option(
      names = "--runs",
      defaultValue = "3",
      paramLabel = "R",
      description = "Runs; medians are reported (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--threads",
      defaultValue = "1",
      paramLabel = "T",
      description =
          "Stream threads of the app, and threads of the codec loop (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      description =
          "Frames of each run left out of throughput and latency (default: 10%% of the run, at least 1).")
  Integer warmup;

  @Option(
      names = "--warmup-runs",
      defaultValue = "2",
      paramLabel = "N",
      description =
          "Untimed pipeline passes before the first run, so that the JIT of this JVM and of the broker"
              + " is done as in a long-running deployment (default: ${DEFAULT-VALUE}).")
  int warmupRuns;

  @Option(
      names = "--in-flight",
      paramLabel = "N",
      description =
          "Frames the producer keeps published but not yet encoded and committed (default: the codec's"
              + " frames per second, at least 8).")
  Integer inFlight;

  @Option(
      names = "--quality-frames",
      defaultValue = "24",
      paramLabel = "N",
      description =
          "Frames of each mode decoded (from their chains) for the PSNR of the last run: the bytes are"
              + " compared at the PSNR this measures (default: ${DEFAULT-VALUE}).")
  int qualityFrames;

  @Option(
      names = "--photos",
      paramLabel = "DIR",
      description =
          "Photos the simulated fixed cameras film (default: data/photos of the project).")
  Path photos;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Use this Kafka cluster instead of starting a local one (needs --registry).")
  String bootstrap;

  @Option(
      names = "--registry",
      paramLabel = "URL",
      description = "Schema registry (Confluent API) to use with --bootstrap.")
  String registry;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "A streams app or Kafka setting for the app (repeatable), e.g. --set commit.interval.ms=200.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(
      names = "--stall-timeout",
      defaultValue = "120",
      paramLabel = "SECONDS",
      description = "Fail a run when no frame arrives for this long (default: ${DEFAULT-VALUE}).")
  int stallSeconds;

  @Option(
      names = "--out",
      defaultValue = "bench-pipeline.json",
      paramLabel = "FILE",
      description = "JSON results (default: ${DEFAULT-VALUE}).")
  Path out;

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    // the clients and the app log every rebalance and commit at INFO: the results would drown in it
    if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
      System.setProperty(LOG_LEVEL_PROPERTY, "warn");
    }
    System.exit(new CommandLine(new PipelineBench()).execute(args));
  }

  @Override
  public Integer call() throws IOException {
    try {
      return benchmark();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      spec.commandLine().getErr().println("bench-pipeline: interrupted");
      return 1;
    } catch (RuntimeException e) {
      // not a static logger: main sets the log level before the first logger is created
      LoggerFactory.getLogger(PipelineBench.class).error("bench-pipeline failed", e);
      spec.commandLine().getErr().println("bench-pipeline: failed: " + e.getMessage());
      return 1;
    }
  }

  private int benchmark() throws IOException, InterruptedException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Matcher wh = SIZE.matcher(size.toLowerCase(Locale.ROOT));
    if (!wh.matches()) {
      return usage(err, "--size must be WIDTHxHEIGHT, e.g. 640x480, not '" + size + "'");
    }
    int width = Integer.parseInt(wh.group(1));
    int height = Integer.parseInt(wh.group(2));
    if (width < 16
        || height < 16
        || framesPerCamera < 1
        || cameras < 1
        || cameras * framesPerCamera < 2
        || runs < 1
        || threads < 1
        || (inFlight != null && inFlight < 1)
        || (warmup != null && warmup < 0)
        || warmupRuns < 0
        || qualityFrames < 1) {
      return usage(
          err,
          "need a size of at least 16x16, --frames, --cameras, --runs, --threads and --in-flight of"
              + " at least 1, two frames per run, and --warmup and --warmup-runs of 0 or more");
    }
    if ((bootstrap == null) != (registry == null)) {
      return usage(err, "--bootstrap and --registry go together");
    }
    Path photoDir = photos != null ? photos : defaultPhotos();
    if (!Files.isDirectory(photoDir)) {
      return usage(err, "no photo directory " + photoDir.toAbsolutePath() + " (--photos DIR)");
    }
    int total = cameras * framesPerCamera;
    int warm = warmup != null ? Math.min(warmup, total - 2) : Math.max(1, total / 10);

    Map<String, Object> result = new LinkedHashMap<>();
    try (BenchResources resources = new BenchResources().closeOnShutdown()) {
      stdout.printf("bench-pipeline: reading photos from %s ...%n", photoDir);
      stdout.flush();
      CameraFeed frames =
          new CameraFeed(
              CameraSimulator.load(photoDir, null, width, height, cameras),
              "bench-cam-",
              framesPerCamera);
      Path packageDir;
      try (ModelCatalog catalog = ModelCatalog.fromEnvironment()) {
        packageDir = catalog.locate(model, quality);
      }
      CodecModel codecModel = resources.add("reference codec model", CodecModel.load(packageDir));
      Files.createDirectories(Paths.get(System.getProperty("java.io.tmpdir")));
      Path workDir = resources.addDirectory(Files.createTempDirectory("latentstream-bench-"));
      Map<String, Object> app = new LinkedHashMap<>();
      copyModel(packageDir, workDir.resolve("models"), app);
      String bootstrapServers = bootstrap;
      String registryUrl = registry;
      if (bootstrapServers == null) {
        stdout.println("bench-pipeline: starting a local broker and schema registry ...");
        stdout.flush();
        LocalPlatform platform =
            resources.add("local platform", startPlatform(workDir.resolve("platform")));
        bootstrapServers = platform.bootstrapServers();
        registryUrl = platform.registryUrl();
      }
      app.put(StreamsAppConfig.BOOTSTRAP_SERVERS, bootstrapServers);
      app.put(StreamsAppConfig.SCHEMA_REGISTRY_URL, registryUrl);
      app.put(StreamsAppConfig.NUM_STREAM_THREADS, threads);
      app.put(StreamsAppConfig.HTTP_PORT, 0);
      app.putAll(overrides);
      StreamsAppConfig.of(app); // fails fast on a bad --set value

      CodecLoop loop = new CodecLoop(LearnedCodec.of(codecModel), frames, threads);
      List<Map<String, Object>> rawRuns = new ArrayList<>();
      String stamp =
          DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
              .withZone(ZoneOffset.UTC)
              .format(Instant.now());
      Integer window = inFlight;
      // The codec loop runs before and after every pipeline run (A B A B ... A) and each run is
      // compared with the
      // mean of the two loops around it: on a shared machine the speed drifts by tens of percent
      // within minutes
      // (measured: 22 % between two loops 80 s apart), and a loop measured only before the run, a
      // minute or more
      // earlier, carries that drift into the ratio.
      CodecLoop.Result before = loop.measure(warm);
      PipelineRun.Result last = null;
      PipelineRun.Result lastPerFrame = null;
      for (int r = 0; r < runs; r++) {
        if (window == null) {
          double codecFps = before.framesPerSecond();
          // A frame becomes visible only when its transaction commits (every commit.interval.ms
          // under
          // exactly-once), after a fetch and an encode: measured here with 100 ms commits, 4 frames
          // in flight
          // starved the stream thread (latency/4 = the throughput seen), 16 did not. One second of
          // frames plus
          // one commit interval keeps it busy with some margin.
          window =
              Math.max(
                  MIN_IN_FLIGHT,
                  (int) Math.ceil(codecFps * (IN_FLIGHT_SECONDS + commitIntervalMs(app) / 1000.0)));
        }
        PipelineRun run =
            new PipelineRun(
                    app, frames, window, warm, Duration.ofSeconds(stallSeconds), resources, workDir)
                .withProbes();
        Map<String, Object> perFrameApp = new LinkedHashMap<>(app);
        perFrameApp.put(StreamsAppConfig.KEYFRAME_INTERVAL_FRAMES, 1);
        PipelineRun perFrameRun =
            new PipelineRun(
                perFrameApp,
                frames,
                window,
                warm,
                Duration.ofSeconds(stallSeconds),
                resources,
                workDir);
        for (int w = 0; r == 0 && w < warmupRuns; w++) {
          // A deployment runs for days with its JIT done, in this JVM and in the broker; the first
          // pass through
          // Kafka Streams, the clients and a fresh broker spends as much CPU compiling as the
          // stream thread
          // spends working (measured: 13-15 ms per frame of JIT in the app JVM, and the broker's
          // JIT on top), and
          // after one 200-frame pass the JIT still took 11, then 6, then 2 ms per frame in the next
          // three runs.
          // Their figures are not reported.
          PipelineRun.Result wr = run.measure(stamp + "-warmup" + w);
          stdout.printf(
              "warm-up pass %d/%d (not counted): pipeline %.2f fps%n",
              w + 1, warmupRuns, wr.framesPerSecond());
          stdout.flush();
        }
        if (r == 0 && warmupRuns > 0) {
          before =
              loop.measure(
                  warm); // the warm-up passes took minutes: measure the loop next to the run
        }
        // both modes between the same two codec loops, in alternating order so neither always runs
        // first
        PipelineRun.Result p;
        PipelineRun.Result pf;
        if (r % 2 == 0) {
          p = run.measure(stamp + "-" + r);
          pf = perFrameRun.measure(stamp + "-" + r + "-per-frame");
        } else {
          pf = perFrameRun.measure(stamp + "-" + r + "-per-frame");
          p = run.measure(stamp + "-" + r);
        }
        last = p;
        lastPerFrame = pf;
        CodecLoop.Result after = loop.measure(warm);
        CodecLoop.Result codec = CodecLoop.Result.mean(before, after);
        double codecFps = codec.framesPerSecond();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("run", r + 1);
        row.put("codecFps", codecFps);
        row.put("codecFpsBefore", before.framesPerSecond());
        row.put("codecFpsAfter", after.framesPerSecond());
        before = after;
        row.put("pipelineFps", p.framesPerSecond());
        row.put("ratio", p.framesPerSecond() / codecFps);
        row.put("perFramePipelineFps", pf.framesPerSecond());
        row.put("temporalOverPerFrame", p.framesPerSecond() / pf.framesPerSecond());
        row.put("latentBytes", (double) p.latentBytes());
        row.put("perFrameLatentBytes", (double) pf.latentBytes());
        row.put("bytesRatio", (double) p.latentBytes() / pf.latentBytes());
        row.put("keyFrames", p.keyFrames());
        row.put("perFrameKeyFrames", pf.keyFrames());
        row.put("perFrameFramesReceived", pf.received());
        row.put("perFrameDuplicates", pf.duplicates());
        // wall-clock throughput on a shared machine moves with everyone else's load; the app's CPU
        // per frame does
        // not: per-frame CPU over key/delta CPU is the throughput ratio the same cores would give
        // each mode alone
        double appCpu = p.cpu().get("selfCpuMsPerFrame") - p.cpu().get("benchClientsCpuMsPerFrame");
        double perFrameAppCpu =
            pf.cpu().get("selfCpuMsPerFrame") - pf.cpu().get("benchClientsCpuMsPerFrame");
        row.put("appCpuMsPerFrame", appCpu);
        row.put("perFrameAppCpuMsPerFrame", perFrameAppCpu);
        row.put("perFrameCpuOverTemporalCpu", perFrameAppCpu / appCpu);
        row.put("perFramePipelineCpu", pf.cpu());
        row.putAll(p.probes());
        row.put("latencyP50Ms", p.p50Millis());
        row.put("latencyP99Ms", p.p99Millis());
        row.put("latencyMaxMs", p.maxMillis());
        row.put("framesSent", p.frames());
        row.put("framesReceived", p.received());
        row.put("duplicates", p.duplicates());
        row.put("steadyWindowSeconds", p.windowSeconds());
        row.put("codecMsPerFrame", 1000 * threads / codecFps);
        row.put("pipelineProcessMsPerFrame", p.processMillisMean());
        row.put("codecCpu", codec.cpu());
        row.put("pipelineCpu", p.cpu());
        row.put("streamThread", p.streamThread());
        // CPU per frame, which other load on the machine hardly changes: the codec's over the
        // pipeline's, for
        // everything the benchmark runs (with the local broker) and for the app alone (without the
        // broker and
        // without the benchmark's own producer and consumer)
        double codecCpu = codec.cpu().get("selfCpuMsPerFrame");
        row.put(
            "cpuRatio",
            (codecCpu + codec.cpu().get("childrenCpuMsPerFrame"))
                / (p.cpu().get("selfCpuMsPerFrame") + p.cpu().get("childrenCpuMsPerFrame")));
        row.put(
            "appCpuRatio",
            codecCpu
                / (p.cpu().get("selfCpuMsPerFrame") - p.cpu().get("benchClientsCpuMsPerFrame")));
        rawRuns.add(row);
        stdout.printf(
            "run %d/%d: codec %.2f fps (%.2f before, %.2f after), pipeline %.2f fps (%.1f%%), latency p50"
                + " %.0f ms p99 %.0f ms; per-frame pipeline %.2f fps (key/delta at %.1f%% of it), bytes %.1f%% of"
                + " per-frame%n",
            r + 1,
            runs,
            codecFps,
            (Double) row.get("codecFpsBefore"),
            (Double) row.get("codecFpsAfter"),
            p.framesPerSecond(),
            100 * p.framesPerSecond() / codecFps,
            p.p50Millis(),
            p.p99Millis(),
            pf.framesPerSecond(),
            100 * p.framesPerSecond() / pf.framesPerSecond(),
            100.0 * p.latentBytes() / pf.latentBytes());
        stdout.println("  " + cpuLine(codec.cpu(), p.cpu(), p.streamThread()));
        stdout.printf(
            Locale.ROOT,
            "  random access: GET /frames median %.1f ms, max %.1f ms (%d frames up to %d"
                + " frames after their key frame, up to %d after a checkpoint) vs one KEY decode %.1f ms; failover: %.0f"
                + " bytes of chain state per camera, %.0f bytes per moved camera with its RESET key frame%n",
            (Double) row.get("randomAccessMedianMs"),
            (Double) row.get("randomAccessMaxMs"),
            row.get("randomAccessRequests"),
            row.get("randomAccessLongestChainWalk"),
            row.get("randomAccessLongestWalkFromCheckpoint"),
            (Double) row.get("keyDecodeMedianMs"),
            (Double) row.get("chainStateBytesPerCamera"),
            (Double) row.get("failoverBytesPerMovedCamera"));
        stdout.printf(
            Locale.ROOT,
            "  decode-store checkpoints: %d, %.0f bytes each, %.0f bytes per frame%n",
            row.get("checkpointRecords"),
            (Double) row.get("checkpointBytesMean"),
            (Double) row.get("checkpointBytesPerFrame"));
        stdout.flush();
      }

      result.put("command", "bench-pipeline");
      result.put("date", Instant.now().toString());
      result.put("model", codecModel.version());
      result.put("modelPackage", packageDir.toString());
      result.put("frameSize", width + "x" + height);
      result.put("pixelFormat", "RGB24");
      result.put("cameras", cameras);
      result.put("framesPerCamera", framesPerCamera);
      result.put("framesPerRun", total);
      result.put(
          "frames", "simulated fixed cameras (one photo each, sensor noise, objects crossing)");
      result.put("runs", runs);
      result.put("threads", threads);
      result.put("warmupFrames", warm);
      result.put("warmupRuns", warmupRuns);
      result.put("inFlightFrames", window);
      result.put("platform", bootstrap == null ? "local (started by the benchmark)" : bootstrap);
      result.put("settings", settingsReport(app));
      result.put("machine", machine());
      Map<String, Object> medians = new LinkedHashMap<>();
      for (String key :
          List.of(
              "codecFps",
              "pipelineFps",
              "ratio",
              "latencyP50Ms",
              "latencyP99Ms",
              "cpuRatio",
              "appCpuRatio",
              "perFramePipelineFps",
              "temporalOverPerFrame",
              "appCpuMsPerFrame",
              "perFrameAppCpuMsPerFrame",
              "perFrameCpuOverTemporalCpu",
              "bytesRatio",
              "randomAccessMedianMs",
              "randomAccessMaxMs",
              "keyDecodeMedianMs",
              "randomAccessMedianOverKeyDecode",
              "randomAccessMaxOverKeyDecode",
              "failoverBytesPerMovedCamera",
              "chainStateBytesPerCamera")) {
        medians.put(
            key,
            Percentiles.median(rawRuns.stream().mapToDouble(m -> (Double) m.get(key)).toArray()));
      }
      result.put("median", medians);
      result.put(
          "keyframeIntervalFrames",
          StreamsAppConfig.of(app).getInt(StreamsAppConfig.KEYFRAME_INTERVAL_FRAMES));
      stdout.printf(
          "bench-pipeline: decoding %d frames of each mode of the last run for PSNR ...%n",
          qualityFrames);
      stdout.flush();
      Map<String, Object> quality = new LinkedHashMap<>();
      try (ModelCatalog decoders = new ModelCatalog(workDir.resolve("models"), 2)) {
        double psnr = meanPsnr(frames, last.bitstreams(), decoders, qualityFrames);
        double perFramePsnr = meanPsnr(frames, lastPerFrame.bitstreams(), decoders, qualityFrames);
        quality.put("framesDecodedPerMode", Math.min(qualityFrames, frames.total()));
        quality.put("latentBytes", last.latentBytes());
        quality.put("perFrameLatentBytes", lastPerFrame.latentBytes());
        quality.put("bytesRatio", (double) last.latentBytes() / lastPerFrame.latentBytes());
        quality.put("psnr", psnr);
        quality.put("perFramePsnr", perFramePsnr);
        quality.put("psnrDifference", psnr - perFramePsnr);
      }
      result.put("lastRunBytesAndQuality", quality);
      result.put("rawRuns", rawRuns);
      printTable(stdout, rawRuns, medians);
      stdout.printf(
          Locale.ROOT,
          "key/delta vs per-frame (keyframe.interval.frames=1), same frames: app CPU per"
              + " frame %.1f vs %.1f ms (per-frame / key-delta %.1f%%, medians)%n",
          (Double) medians.get("appCpuMsPerFrame"),
          (Double) medians.get("perFrameAppCpuMsPerFrame"),
          100 * (Double) medians.get("perFrameCpuOverTemporalCpu"));
      stdout.printf(
          Locale.ROOT,
          "key/delta vs per-frame (keyframe.interval.frames=1), same frames: throughput"
              + " %.1f%% (median), bytes on the latent topic %.2f%% at %.2f dB vs %.2f dB (%+.2f dB; last run, %d frames"
              + " decoded per mode)%n%n",
          100 * (Double) medians.get("temporalOverPerFrame"),
          100 * (Double) quality.get("bytesRatio"),
          (Double) quality.get("psnr"),
          (Double) quality.get("perFramePsnr"),
          (Double) quality.get("psnrDifference"),
          quality.get("framesDecodedPerMode"));
      Map<String, Object> breakdown = breakdown(rawRuns);
      result.put("medianBreakdown", breakdown);
      printBreakdown(stdout, breakdown);
    }
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    json.writeValue(out.toFile(), result);
    stdout.println("bench-pipeline: results in " + out);
    stdout.flush();
    return 0;
  }

  /**
   * Mean RGB PSNR of about {@code count} frames spread over the run, decoded as a consumer decodes
   * them: every frame of each camera goes through the receiver in order (DELTA frames need their
   * chain), only the measured ones are turned into pictures.
   */
  static double meanPsnr(CameraFeed frames, byte[][] bitstreams, ModelCatalog decoders, int count) {
    int stride = Math.max(1, frames.total() / Math.max(1, count));
    FrameReceiver receiver = new FrameReceiver(decoders, null, 0);
    double sum = 0;
    int measured = 0;
    for (int i = 0; i < frames.total(); i++) {
      boolean picture = i % stride == 0 && measured < count;
      FrameReceiver.Received got =
          receiver.receive(frames.cameraId(i % frames.cameras()), bitstreams[i], picture);
      if (picture) {
        if (!(got instanceof FrameReceiver.Picture p)) {
          throw new IllegalStateException("frame " + i + " of the run is not decodable: " + got);
        }
        sum += QualityMetrics.psnr(frames.image(i), p.image());
        measured++;
      }
    }
    return sum / measured;
  }

  private int usage(PrintWriter err, String message) {
    err.println("bench-pipeline: " + message);
    err.flush();
    return 2;
  }

  private static Path defaultPhotos() {
    Path root = Paths.get(System.getProperty("latentstream.root", "."));
    return root.resolve("data/photos");
  }

  /**
   * Copies the package into a models directory of its own, so the app loads exactly this version (a
   * models directory may hold newer packages of the same name), and sets the app's model name and
   * quality from it.
   */
  private static void copyModel(Path packageDir, Path modelsDir, Map<String, Object> app)
      throws IOException {
    Path target = modelsDir.resolve(packageDir.getFileName().toString());
    try (Stream<Path> files = Files.walk(packageDir)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path dest = target.resolve(packageDir.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(source, dest, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    List<ModelCatalog.Entry> entries = new ModelCatalog(modelsDir, 1).entries();
    ModelCatalog.Entry entry = entries.isEmpty() ? null : entries.get(0);
    if (entry == null || entry.family().isEmpty()) {
      throw new IllegalArgumentException(
          "the streams app encodes with a package named <family>-q<N>; "
              + packageDir.getFileName()
              + " is not one");
    }
    app.put(StreamsAppConfig.MODELS_DIR, modelsDir.toString());
    app.put(StreamsAppConfig.MODEL_NAME, entry.family().get());
    app.put(StreamsAppConfig.MODEL_QUALITY, entry.quality().get());
  }

  private static LocalPlatform startPlatform(Path dataDir) throws InterruptedException {
    Set<Integer> ports = new HashSet<>();
    while (ports.size() < 3) {
      ports.add(LoopbackPorts.findFree());
    }
    List<Integer> p = new ArrayList<>(ports);
    return LocalPlatform.builder()
        .optBrokerPort(p.get(0))
        .optControllerPort(p.get(1))
        .optRegistryPort(p.get(2))
        .optDataDir(dataDir)
        .start();
  }

  /** The app's commit interval: a --set value, else what the app runs with. */
  private static long commitIntervalMs(Map<String, Object> app) {
    Object set =
        StreamsAppConfig.of(app).kafkaOverrides().get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    return set != null ? Long.parseLong(set.toString().trim()) : EOS_DEFAULT_COMMIT_INTERVAL_MS;
  }

  /**
   * The app settings that shape the measurement, with Kafka Streams' defaults where the app sets
   * none.
   */
  private static Map<String, Object> settingsReport(Map<String, Object> app) {
    StreamsAppConfig config = StreamsAppConfig.of(app);
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("processing.guarantee", "exactly_once_v2");
    s.put(StreamsAppConfig.NUM_STREAM_THREADS, config.getInt(StreamsAppConfig.NUM_STREAM_THREADS));
    s.put(StreamsAppConfig.TOPIC_PARTITIONS, config.getInt(StreamsAppConfig.TOPIC_PARTITIONS));
    s.put(StreamsAppConfig.SAMPLE_RATE, config.getDouble(StreamsAppConfig.SAMPLE_RATE));
    s.put(StreamsAppConfig.PSNR_SAMPLE_RATE, config.getDouble(StreamsAppConfig.PSNR_SAMPLE_RATE));
    s.put(
        "commit.interval.ms",
        config.kafkaOverrides().getOrDefault("commit.interval.ms", "100 (EOS default)"));
    s.put("overrides", Map.copyOf(config.kafkaOverrides()));
    return s;
  }

  private static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("cpuModel", cpuModel());
    m.put("javaVersion", System.getProperty("java.version"));
    m.put(
        "javaVm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
    m.put(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    m.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    m.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    return m;
  }

  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Paths.get("/proc/cpuinfo"))) {
      return lines
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown");
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /**
   * One line of the table: {@code label}, then the figures of {@code values} (a run or the
   * medians).
   */
  private static void printRow(
      PrintWriter out, String format, Object label, Map<String, Object> values) {
    out.printf(
        format,
        label,
        f2(values.get("codecFps")),
        f2(values.get("pipelineFps")),
        pct(values.get("ratio")),
        f0(values.get("latencyP50Ms")),
        f0(values.get("latencyP99Ms")),
        pct(values.get("cpuRatio")),
        pct(values.get("appCpuRatio")),
        f2(values.get("perFramePipelineFps")),
        pct(values.get("temporalOverPerFrame")),
        pct(values.get("bytesRatio")));
  }

  private static void printTable(
      PrintWriter out, List<Map<String, Object>> rows, Map<String, Object> medians) {
    String format = "%-7s %11s %13s %7s %9s %9s %10s %10s %14s %9s %9s%n";
    out.println();
    out.printf(
        format,
        "run",
        "codec fps",
        "pipeline fps",
        "ratio",
        "p50 ms",
        "p99 ms",
        "cpu ratio",
        "app cpu",
        "per-frame fps",
        "kd / pf",
        "bytes");
    for (Map<String, Object> row : rows) {
      printRow(out, format, row.get("run"), row);
    }
    printRow(out, format, "median", medians);
    out.println(
        "(pipeline: key and delta frames; per-frame: keyframe.interval.frames=1, same frames; kd / pf: their"
            + " throughput ratio; bytes: key/delta bytes on the latent topic over per-frame bytes)");
    out.println();
    out.flush();
  }

  /**
   * CPU per frame by where it went, and the stream thread's time per frame: medians over the runs.
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> breakdown(List<Map<String, Object>> rows) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String phase : List.of("codecCpu", "pipelineCpu", "streamThread")) {
      Map<String, Double> medians = new LinkedHashMap<>();
      Map<String, Double> first = (Map<String, Double>) rows.get(0).get(phase);
      for (String key : first.keySet()) {
        medians.put(
            key,
            Percentiles.median(
                rows.stream()
                    .mapToDouble(
                        r -> ((Map<String, Double>) r.get(phase)).getOrDefault(key, Double.NaN))
                    .toArray()));
      }
      out.put(phase, medians);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static void printBreakdown(PrintWriter out, Map<String, Object> breakdown) {
    Map<String, Double> codec = (Map<String, Double>) breakdown.get("codecCpu");
    Map<String, Double> pipe = (Map<String, Double>) breakdown.get("pipelineCpu");
    String format = "  %-52s %10s %10s%n";
    out.println("CPU ms per frame (medians)");
    out.printf(format, "", "codec loop", "pipeline");
    List<String[]> lines =
        List.of(
            new String[] {"tensorflowThreadsCpuMsPerFrame", "TensorFlow threads (the transforms)"},
            new String[] {
              "codecCallerThreadsCpuMsPerFrame", "codec loop thread / stream thread (Java side)"
            },
            new String[] {"kafkaIoThreadsCpuMsPerFrame", "Kafka client I/O threads"},
            new String[] {"gcThreadsCpuMsPerFrame", "GC"},
            new String[] {"jitThreadsCpuMsPerFrame", "JIT compiler"},
            new String[] {"otherThreadsCpuMsPerFrame", "other threads of the JVM"},
            new String[] {
              "benchClientThreadsCpuMsPerFrame", "benchmark's own producer and consumer"
            },
            new String[] {"selfCpuMsPerFrame", "= this JVM"},
            new String[] {"childrenCpuMsPerFrame", "broker + registry (child JVMs)"},
            new String[] {"othersCpuMsPerFrame", "rest of the machine (other processes)"});
    for (String[] line : lines) {
      if (codec.containsKey(line[0]) || pipe.containsKey(line[0])) {
        out.printf(format, line[1], f1(codec.get(line[0])), f1(pipe.get(line[0])));
      }
    }
    Map<String, Double> st = (Map<String, Double>) breakdown.get("streamThread");
    out.printf(
        Locale.ROOT,
        "Stream thread ms per frame (medians): %.1f wall = %.1f in the encode processor + %.1f"
            + " blocked on Kafka (%.1f committing, %.1f waiting in poll) + %.1f other%n",
        st.get("wallMsPerFrame"),
        st.get("encodeMsPerFrame"),
        st.get("blockedOnKafkaMsPerFrame"),
        st.get("commitMsPerFrame"),
        st.get("pollWaitMsPerFrame"),
        st.get("otherMsPerFrame"));
    out.println();
    out.flush();
  }

  /** One run's CPU per frame and stream thread time per frame, on one line. */
  static String cpuLine(
      Map<String, Double> codec, Map<String, Double> pipe, Map<String, Double> thread) {
    return String.format(
        Locale.ROOT,
        "CPU ms/frame: codec loop %.1f (TensorFlow %.1f); pipeline app %.1f"
            + " (TensorFlow %.1f, stream thread %.1f, Kafka I/O %.1f, GC %.1f, JIT %.1f), broker+registry %.1f;"
            + " stream thread ms/frame: encode %.1f, commit %.1f, poll wait %.1f, other %.1f",
        codec.get("selfCpuMsPerFrame"),
        codec.getOrDefault("tensorflowThreadsCpuMsPerFrame", Double.NaN),
        pipe.get("selfCpuMsPerFrame") - pipe.get("benchClientsCpuMsPerFrame"),
        pipe.getOrDefault("tensorflowThreadsCpuMsPerFrame", Double.NaN),
        pipe.getOrDefault("codecCallerThreadsCpuMsPerFrame", Double.NaN),
        pipe.getOrDefault("kafkaIoThreadsCpuMsPerFrame", Double.NaN),
        pipe.getOrDefault("gcThreadsCpuMsPerFrame", Double.NaN),
        pipe.getOrDefault("jitThreadsCpuMsPerFrame", Double.NaN),
        pipe.get("childrenCpuMsPerFrame"),
        thread.get("encodeMsPerFrame"),
        thread.get("commitMsPerFrame"),
        thread.get("pollWaitMsPerFrame"),
        thread.get("otherMsPerFrame"));
  }

  private static String f1(Double v) {
    return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String f2(Object v) {
    return String.format(Locale.ROOT, "%.2f", (Double) v);
  }

  private static String f0(Object v) {
    return String.format(Locale.ROOT, "%.0f", (Double) v);
  }

  private static String pct(Object v) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * (Double) v);
  }
}
