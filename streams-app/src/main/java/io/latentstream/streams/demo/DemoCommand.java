package io.latentstream.streams.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.sequence.FrameReceiver;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.ModelCatalog;
import io.latentstream.platform.LocalPlatform;
import io.latentstream.platform.PortInUseException;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.streams.StreamsApp;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.serde.RecordSerdes;
import io.latentstream.schemas.files.FileTrees;
import io.latentstream.streams.topology.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code ./latentstream demo}: the whole pipeline on this machine. Starts the local broker and schema registry
 * (child JVMs, data kept in {@code --data-dir}), the streams app in this JVM and the retraining service in a child
 * JVM ({@link DemoTrainer}), publishes the frames of a few simulated fixed cameras ({@link CameraFrames}), waits
 * until every frame is on the latent topic or the dead-letter topic (read_committed), then writes the report
 * ({@link DemoReport}) and prints a summary.
 *
 * <p>Retraining: the streams app samples frames to {@code images.sample} at a rate that gives the trainer a few dozen
 * frames; once they are stored the demo asks for one run ({@code POST /retrain}: fine-tune the current model for
 * {@code --retrain-steps}, evaluate champion and challenger with the real codec, real promotion gate, signed
 * release). The cameras publish the first three quarters of their frames meanwhile and hold the last quarter until
 * the run is decided (and, when promoted, the streams app has switched), so the report shows which frames each
 * model version encoded. The demo's own Ed25519 key pair (in the data directory) signs the releases and the streams
 * app is configured with its public key: no unsigned package is accepted.
 *
 * <p>Exit codes: 0 when every frame came out as a latent and none was dead-lettered, 1 otherwise or on failure,
 * 2 for bad arguments or a taken port. Everything started is stopped at the end, on failure and on Ctrl-C (a
 * shutdown hook). One run per instance; not thread-safe.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Runs the pipeline on a local broker and registry with simulated cameras and writes a report."})
public final class DemoCommand implements Callable<Integer> {

  private static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";
  private static final Pattern SIZE = Pattern.compile("(\\d+)x(\\d+)");
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  /** Latents decoded for PSNR and the JPEG comparison: decoding and bisecting every frame takes longer than the run. */
  private static final int QUALITY_SAMPLE = 24;
  /** Sampled frames the demo aims to give the trainer before it asks for a run. */
  private static final int TARGET_SAMPLES = 60;
  /** Share of each camera's frames published before the cameras wait for the retraining run to be decided. */
  private static final double BEFORE_RETRAINING = 0.75;
  private static final long TRAINER_POLL_NANOS = 1_000_000_000L;
  /** How long the demo waits for the streams app to switch to a promoted model. */
  private static final Duration SWITCH_TIMEOUT = Duration.ofSeconds(90);

  @Option(names = "--frames", defaultValue = "200", paramLabel = "N",
      description = "Frames per camera (default: ${DEFAULT-VALUE}).")
  int framesPerCamera;

  @Option(names = "--cameras", defaultValue = "4", paramLabel = "C",
      description = "Simulated cameras (default: ${DEFAULT-VALUE}).")
  int cameras;

  @Option(names = "--size", defaultValue = "640x480", paramLabel = "WxH",
      description = "Frame size, RGB24 (default: ${DEFAULT-VALUE}).")
  String size;

  @Option(names = "--report", defaultValue = "demo-report", paramLabel = "DIR",
      description = "Where report.json, report.html and its images go (default: ${DEFAULT-VALUE}).")
  Path reportDir;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Models promoted, the trainer's reservoir, the signing key, broker and app state; the next run"
          + " continues from the newest model unless --clean (default: .latentstream/demo of the project).")
  Path dataDir;

  @Option(names = "--clean", description = "Delete the data directory first (promoted models, reservoir, key).")
  boolean clean;

  @Option(names = "--model", defaultValue = "default", paramLabel = "NAME",
      description = "Model family or package name in the models directory (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--quality", paramLabel = "N",
      description = "Quality level of the family (default: the middle one).")
  Integer quality;

  @Option(names = "--models-dir", paramLabel = "DIR", description = "Models directory (default: models/).")
  Path modelsDir;

  @Option(names = "--photos", paramLabel = "DIR", description = "Photos to film (default: data/photos).")
  Path photos;

  @Option(names = "--broker-port", defaultValue = "9092", paramLabel = "PORT") int brokerPort;
  @Option(names = "--controller-port", defaultValue = "9093", paramLabel = "PORT") int controllerPort;
  @Option(names = "--registry-port", defaultValue = "8081", paramLabel = "PORT") int registryPort;

  @Option(names = "--footage", paramLabel = "DIR",
      description = "Fixed-camera footage (PNG frames in time order) the last camera plays when the folder exists"
          + " (default: .latentstream/footage/vtest, written by trainer/scripts/fetch-fixed-camera.sh).")
  Path footage;

  @Option(names = "--no-retrain", description = "Do not run the retraining service.")
  boolean noRetrain;

  @Option(names = "--retrain-steps", defaultValue = "200", paramLabel = "N",
      description = "Fine-tuning steps of the retraining run (default: ${DEFAULT-VALUE}).")
  long retrainSteps;

  @Option(names = "--retrain-timeout", defaultValue = "1200", paramLabel = "SECONDS",
      description = "Stop waiting for the retraining run after this long (default: ${DEFAULT-VALUE}).")
  int retrainTimeoutSeconds;

  @Option(names = "--trainer-set", paramLabel = "KEY=VALUE",
      description = "A retraining service setting (trainer/SERVICE.md), e.g. train.learning.rate=2e-4; repeatable.")
  Map<String, String> trainerSettings = new LinkedHashMap<>();

  @Option(names = "--stall-timeout", defaultValue = "120", paramLabel = "SECONDS",
      description = "Give up when no frame is accounted for during this long (default: ${DEFAULT-VALUE}).")
  int stallSeconds;

  @Spec
  CommandSpec spec;

  private final Deque<AutoCloseable> open = new ArrayDeque<>();
  private final Thread hook = new Thread(() -> {
    System.err.println("demo: stopping (the broker may be gone first: connection warnings are expected) ...");
    closeAll();
  }, "demo-shutdown");

  public static void main(String[] args) {
    // the clients and the app log every rebalance and commit at INFO: the progress line would drown in it
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
      err.println("demo: " + e.getMessage() + " (stop what uses it, or pick others with --broker-port,"
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
      err.println("demo: need --size WIDTHxHEIGHT (e.g. 640x480), --frames, --cameras and --retrain-steps of at"
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
      progress(err, "reusing " + data + ": the models promoted so far, the trainer's sampled frames and the signing"
          + " key stay (--clean starts afresh); topics start empty");
    }
    // The broker and the registry start empty every time (the platform itself would keep topics and schemas across
    // runs), and what carries over is on disk: both model directories (the newest package is the champion), the
    // reservoir.
    FileTrees.deleteTree(data.resolve("platform"));
    FileTrees.deleteTree(data.resolve("streams-state"));
    Files.createDirectories(data);
    List<Path> trainerClasspath = retrain ? DemoTrainer.classpath(root) : List.of(); // fails early when not built

    progress(err, "reading photos from " + photoDir);
    CameraFrames frames = CameraFrames.load(photoDir, footageDir, width, height, cameras, framesPerCamera);
    if (frames.footageFrames() > 0) {
      progress(err, CameraFrames.cameraId(cameras - 1) + " plays the fixed-camera footage in " + footageDir + " ("
          + frames.footageFrames() + " frames)");
    }
    ModelCatalog catalog = add(modelsDir != null ? new ModelCatalog(modelsDir, 4) : ModelCatalog.fromEnvironment());
    Path packageDir = catalog.locate(model, quality);
    ModelCatalog.Entry entry = new ModelCatalog(packageDir.getParent(), 1).entries().stream()
        .filter(e -> e.directory().equals(packageDir)).findFirst().orElseThrow();
    if (entry.family().isEmpty()) {
      err.println("demo: the streams app encodes with a package named <family>-q<N>; " + packageDir.getFileName()
          + " is not one");
      return 2;
    }
    // The streams app and the trainer each keep their own models directory in the data directory: both copy the
    // packages they fetch from Kafka into it, and the bundled models/ stays as it is.
    Path streamsModels = data.resolve("models/streams");
    DemoTrainer.installPackage(packageDir, streamsModels);
    Path privateKey = DemoTrainer.ensureKeyPair(data.resolve("keys"));
    CodecModel encoderModel = add(CodecModel.load(streamsModels.resolve(packageDir.getFileName().toString())));

    progress(err, "starting the local broker and schema registry (data in " + data + ") ...");
    LocalPlatform platform = add(LocalPlatform.builder().optBrokerPort(brokerPort).optControllerPort(controllerPort)
        .optRegistryPort(registryPort).optDataDir(data.resolve("platform")).start());

    int holdAt = retrain ? Math.max(1, (int) Math.floor(framesPerCamera * BEFORE_RETRAINING)) : framesPerCamera;
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
      // the cameras' capture clock runs a frame per millisecond: a per-minute cap would stop the sample at once
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
    add(() -> {
      // On Ctrl-C the broker child is stopped by its own hook meanwhile: a short close, then leave it to the exit.
      if (Thread.currentThread() == hook && !app.streams().close(Duration.ofSeconds(5))) {
        return;
      }
      app.close();
    });
    awaitReady(app);
    String startVersion = app.models().currentVersion();
    out.println("demo: streams app ready, model " + startVersion + " (REST on http://127.0.0.1:"
        + app.http().port() + "/)");
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
      progress(err, "starting the retraining service (child JVM, log in " + data.resolve("trainer/trainer.log")
          + ") ...");
      trainer = add(DemoTrainer.start(trainerClasspath, data.resolve("trainer"), t, READY_TIMEOUT));
    }

    RecordSerdes serdes = new RecordSerdes(RecordSerdes.client(config));
    Serializer<io.latentstream.schemas.RawFrame> rawSerializer = serdes.rawFrame().serializer();
    var latentDeserializer = serdes.latentFrame().deserializer();
    int total = frames.total();
    int sampleStride = Math.max(1, total / QUALITY_SAMPLE);
    List<DemoReport.Sampled> sample = new ArrayList<>();
    // decodes what arrives the way any consumer would: per camera, KEY and DELTA frames in order
    FrameReceiver receiver = new FrameReceiver(add(new ModelCatalog(streamsModels, 4)), null, 0);
    TreeSet<String> versions = new TreeSet<>();
    Map<String, Integer> framesPerVersion = new LinkedHashMap<>();
    BitSet arrived = new BitSet(total);
    int latents = 0;
    int duplicates = 0;
    int dlq = 0;
    long encoderBytes = 0;
    int[][] frameBytes = new int[cameras][framesPerCamera];
    boolean[][] keyFrames = new boolean[cameras][framesPerCamera];
    AtomicInteger sent = new AtomicInteger();
    AtomicReference<Throwable> producerError = new AtomicReference<>();
    AtomicBoolean holding = new AtomicBoolean();
    CountDownLatch resume = new CountDownLatch(holdAt < framesPerCamera ? 1 : 0);
    Retraining retraining = new Retraining(retrainTimeoutSeconds);
    long triggerAt = Math.max(1, Math.round(0.8 * sampleRate * holdAt * cameras));
    // millisecond precision: capture times travel as timestamp-millis and are compared with this
    Instant runStart = Instant.ofEpochMilli(System.currentTimeMillis());
    long startNanos;
    long lastArrival;
    long heldNanos = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(config),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(config),
            new ByteArraySerializer(), new ByteArraySerializer())) {
      // start at the end: a reused data directory holds the frames of earlier runs
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(latentTopic, dlqTopic)) {
        consumer.partitionsFor(topic, Duration.ofSeconds(30))
            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);

      Thread producerThread = new Thread(() -> {
        try {
          for (int seq = 0; seq < frames.framesPerCamera() && producerError.get() == null; seq++) {
            if (seq == holdAt) {
              producer.flush();
              holding.set(true);
              resume.await();
              holding.set(false);
            }
            for (int c = 0; c < frames.cameras(); c++) {
              Instant capture = runStart.plusMillis((long) seq * frames.cameras() + c);
              byte[] value = rawSerializer.serialize(rawTopic, frames.record(c, seq, capture));
              producer.send(new ProducerRecord<>(rawTopic, null, capture.toEpochMilli(),
                  CameraFrames.cameraId(c).getBytes(StandardCharsets.UTF_8), value), (meta, e) -> {
                    if (e != null) {
                      producerError.compareAndSet(null, e);
                    } else {
                      sent.incrementAndGet();
                    }
                  });
            }
          }
          producer.flush();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          producerError.compareAndSet(null, e);
        }
      }, "demo-cameras");
      producerThread.setDaemon(true);
      startNanos = System.nanoTime();
      lastArrival = startNanos;
      long lastProgress = 0;
      long lastChange = startNanos;
      long lastTrainerPoll = 0;
      long holdStarted = 0;
      boolean holdCounted = false;
      producerThread.start();
      while (latents + dlq < total) {
        boolean changed = false;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.topic().equals(dlqTopic)) {
            dlq++;
            changed = true;
            continue;
          }
          LatentFrame f = latentDeserializer.deserialize(latentTopic, record.value());
          int camera = CameraFrames.cameraIndex(f.getCameraId());
          // frames of an earlier, interrupted run are older than this run's start
          if (camera < 0 || camera >= cameras || f.getSequence() >= framesPerCamera
              || f.getCaptureTime().isBefore(runStart)) {
            continue;
          }
          int index = (int) (f.getSequence() * cameras + camera);
          if (arrived.get(index)) {
            duplicates++;
            continue;
          }
          arrived.set(index);
          latents++;
          changed = true;
          encoderBytes += f.getBitstream().remaining();
          frameBytes[camera][(int) f.getSequence()] = f.getBitstream().remaining();
          keyFrames[camera][(int) f.getSequence()] = f.getFrameType() == io.latentstream.schemas.FrameType.KEY;
          versions.add(f.getModelVersion());
          framesPerVersion.merge(f.getModelVersion(), 1, Integer::sum);
          byte[] bits = new byte[f.getBitstream().remaining()];
          f.getBitstream().duplicate().get(bits);
          boolean sampled = index % sampleStride == 0 && sample.size() < QUALITY_SAMPLE;
          // every frame advances its camera's chain (KEY and DELTA frames); only sampled ones are synthesised
          FrameReceiver.Received got = receiver.receive(f.getCameraId(), bits, sampled);
          if (sampled && got instanceof FrameReceiver.Picture p) {
            sample.add(new DemoReport.Sampled(camera, f.getSequence(), bits, f.getModelVersion(), p.image()));
          }
        }
        long now = System.nanoTime();
        if (changed) {
          lastChange = now;
          lastArrival = now;
        }
        boolean partOneDone = holding.get() && latents + dlq >= holdAt * cameras;
        if (holdStarted == 0 && partOneDone && resume.getCount() > 0) {
          holdStarted = now;
          progress(err, "the cameras hold their last " + (framesPerCamera - holdAt)
              + " frames until the retraining run is decided");
        }
        if (trainer != null && now - lastTrainerPoll > TRAINER_POLL_NANOS) {
          lastTrainerPoll = now;
          if (retraining.poll(trainer, app, now, triggerAt, partOneDone, err)) {
            resume.countDown();
          }
          if (retraining.active()) {
            lastChange = now; // a run in progress is progress: its own timeout applies
          }
        }
        if (resume.getCount() == 0 && holdStarted != 0 && !holdCounted) {
          heldNanos = now - holdStarted;
          holdCounted = true;
        }
        // a line when something moved (at most one a second), else one every 10 s to show it is alive
        if ((changed && now - lastProgress > 1_000_000_000L) || now - lastProgress > 10_000_000_000L) {
          lastProgress = now;
          progress(err, String.format(Locale.ROOT, "sent %d/%d, latents %d, dead letters %d, %.1f frames/s%s",
              sent.get(), total, latents, dlq, latents / ((now - startNanos) / 1e9), retraining.progressSuffix()));
        }
        if (producerError.get() != null) {
          throw new IllegalStateException("publishing frames failed: " + producerError.get(), producerError.get());
        }
        if (!app.streams().state().isRunningOrRebalancing()) {
          throw new IllegalStateException("the streams app stopped (" + app.streams().state() + ") after "
              + latents + " frames; see the log");
        }
        if (now - lastChange > Duration.ofSeconds(stallSeconds).toNanos()) {
          throw new IllegalStateException("no frame accounted for in " + stallSeconds + " s: " + latents
              + " latents and " + dlq + " dead letters of " + total);
        }
      }
      producerThread.join(10_000);
      // with too few frames to hold any back the run may still be going: wait for its decision all the same
      while (trainer != null && retraining.active()) {
        if (retraining.poll(trainer, app, System.nanoTime(), triggerAt, true, err)) {
          break;
        }
        progress(err, "waiting for the retraining run" + retraining.progressSuffix());
        Thread.sleep(2_000); // polling the trainer's HTTP status: it has no push channel
      }
    }
    double seconds = (lastArrival - startNanos) / 1e9;
    double encodingSeconds = seconds - heldNanos / 1e9;
    progress(err, String.format(Locale.ROOT, "all %d frames accounted for in %.1f s; measuring quality ...",
        total, seconds));

    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("date", Instant.now().toString());
    counts.put("frameSize", width + "x" + height);
    counts.put("pixelFormat", "RGB24");
    counts.put("cameras", cameras);
    counts.put("framesPerCamera", framesPerCamera);
    counts.put("footageCamera", frames.footageFrames() > 0 ? CameraFrames.cameraId(cameras - 1) : null);
    counts.put("framesIn", total);
    counts.put("latentsOut", latents);
    counts.put("dlqCount", dlq);
    counts.put("duplicates", duplicates);
    counts.put("throughputFps", encodingSeconds > 0 ? latents / encodingSeconds : Double.NaN);
    counts.put("elapsedSeconds", seconds);
    counts.put("camerasHeldSeconds", heldNanos / 1e9);
    counts.put("meanBppAllFrames", 8.0 * encoderBytes / Math.max(1, latents) / (width * height));
    counts.put("latentBytes", encoderBytes);
    Map<String, List<Integer>> bytesPerFrame = new LinkedHashMap<>();
    Map<String, List<Boolean>> keyPerFrame = new LinkedHashMap<>();
    for (int c = 0; c < cameras; c++) {
      List<Integer> sizes = new ArrayList<>();
      List<Boolean> keys = new ArrayList<>();
      for (int seq = 0; seq < framesPerCamera; seq++) {
        sizes.add(frameBytes[c][seq]);
        keys.add(keyFrames[c][seq]);
      }
      bytesPerFrame.put(CameraFrames.cameraId(c), sizes);
      keyPerFrame.put(CameraFrames.cameraId(c), keys);
    }
    counts.put("keyFrames", keyPerFrame.values().stream().mapToLong(l -> l.stream().filter(k -> k).count()).sum());
    counts.put("bytesPerFrame", bytesPerFrame);
    counts.put("keyFramePerFrame", keyPerFrame);
    counts.put("modelVersionsSeen", List.copyOf(versions));
    counts.put("framesPerModelVersion", framesPerVersion);
    counts.put("sampleRate", retrain ? sampleRate : config.getDouble(StreamsAppConfig.SAMPLE_RATE));
    counts.put("retrainingRuns", retraining.report(framesPerVersion));
    counts.put("retraining", retrain ? retraining.summary() : "not run (--no-retrain)");
    if (trainer != null) {
      counts.put("trainerLog", trainer.logFile().toString());
    }
    closeAll(); // frees the CPU for the quality measurement
    ModelCatalog decoders = add(new ModelCatalog(streamsModels, 4));
    LearnedCodec codec = new LearnedCodec(encoderModel, decoders);
    Map<String, Object> report = new DemoReport().write(reportDir, counts, sample, frames, codec);
    add(catalog);
    add(encoderModel);

    boolean ok = latents == total && dlq == 0;
    out.println();
    out.printf(Locale.ROOT, "demo: %d cameras x %d frames of %s: %d in, %d latents out, %d dead letters%n", cameras,
        framesPerCamera, width + "x" + height, total, latents, dlq);
    out.printf(Locale.ROOT, "  throughput %.2f frames/s over %.1f s of encoding; frames per model version %s%n",
        report.get("throughputFps"), encodingSeconds, framesPerVersion);
    out.printf(Locale.ROOT, "  mean %.3f bpp, %.2f dB PSNR (on %d decoded frames)%n", report.get("meanBpp"),
        report.get("meanPsnr"), report.get("qualitySampleFrames"));
    out.printf(Locale.ROOT, "  %.1fx smaller than raw RGB24; JPEG at equal PSNR needs %.2fx the bytes of the latents"
        + " (above 1: the learned codec wins)%n",
        report.get("compressionRatioVsRaw"), report.get("compressionRatioVsJpegAtEqualPsnr"));
    out.println("  retraining: " + counts.get("retraining"));
    out.println("  report: " + reportDir.toAbsolutePath().resolve("report.html"));
    out.println(ok ? "demo: ok" : "demo: FAILED: not every frame came out as a latent");
    out.flush();
    return ok ? 0 : 1;
  }

  /**
   * The demo's side of the retraining run: asks for it once enough sampled frames are stored, follows it, and when
   * it is promoted waits for the streams app to switch. Used by the main loop's thread only.
   */
  private static final class Retraining {
    private static final ObjectMapper JSON = new ObjectMapper();
    private List<String> ids;
    private long requestedAt;
    private long lastStored = -1;
    private long storedChangedAt;
    private List<JsonNode> runs = List.of();
    private boolean decided;
    private boolean timedOut;
    private String awaitVersion;
    private long decidedAt;
    private String switchNote;
    private final int timeoutSeconds;

    Retraining(int timeoutSeconds) {
      this.timeoutSeconds = timeoutSeconds;
    }

    /** Whether a run is requested and not yet decided (or its promotion not yet visible in the app). */
    boolean active() {
      return ids != null && (!decided || awaitVersion != null);
    }

    /** One look at the trainer; returns true once the cameras may go on (the run is decided and applied). */
    boolean poll(DemoTrainer trainer, StreamsApp app, long now, long triggerAt, boolean partOneDone,
        PrintWriter err) throws IOException, InterruptedException {
      if (!trainer.isAlive()) {
        throw new IllegalStateException("the retraining service stopped; log " + trainer.logFile() + ":\n"
            + trainer.logTail(20));
      }
      if (ids == null) {
        long stored = trainer.samplesStored();
        if (stored != lastStored) {
          lastStored = stored;
          storedChangedAt = now;
        }
        // enough samples, or the cameras are waiting and no more samples come
        if (stored >= triggerAt || (partOneDone && now - storedChangedAt > 10_000_000_000L)) {
          ids = trainer.requestRun();
          requestedAt = now;
          progress(err, "retraining: " + stored + " sampled frames stored (" + trainer.reservoirFrames()
              + " in the reservoir); run " + String.join(", ", ids) + " requested");
        }
        return false;
      }
      if (!decided) {
        runs = trainer.runs(ids);
        boolean all = runs.size() == ids.size() && runs.stream().allMatch(DemoTrainer::finished);
        timedOut = !all && now - requestedAt > Duration.ofSeconds(timeoutSeconds).toNanos();
        if (!all && !timedOut) {
          return false;
        }
        decided = true;
        decidedAt = now;
        for (JsonNode r : runs) {
          progress(err, "retraining: run " + r.path("id").asText() + " " + describe(r));
          if (r.path("state").asText().equals("PROMOTED")) {
            awaitVersion = r.path("challenger").asText();
          }
        }
        if (timedOut) {
          progress(err, "retraining: no decision after " + timeoutSeconds + " s; the cameras go on");
        }
        if (awaitVersion == null) {
          return true;
        }
      }
      if (awaitVersion != null) {
        String current = app.models().currentVersionIfLoaded().orElse("");
        String version = awaitVersion;
        var rejected = app.models().recentRejections().stream().filter(r -> r.version().equals(version)).findFirst();
        if (current.equals(awaitVersion)) {
          switchNote = "the streams app switched to " + awaitVersion;
        } else if (rejected.isPresent()) {
          switchNote = "the streams app rejected " + awaitVersion + ": " + rejected.get().reason() + " "
              + rejected.get().message();
        } else if (now - decidedAt > SWITCH_TIMEOUT.toNanos()) {
          switchNote = "the streams app did not switch to " + awaitVersion + " within "
              + SWITCH_TIMEOUT.toSeconds() + " s";
        } else {
          return false;
        }
        progress(err, "retraining: " + switchNote);
        awaitVersion = null;
        return true;
      }
      return false;
    }

    /** Suffix of the progress line. */
    String progressSuffix() {
      if (ids == null) {
        return lastStored < 0 ? "" : ", samples stored " + lastStored;
      }
      if (decided) {
        return "";
      }
      if (runs.isEmpty()) {
        return ", retraining requested";
      }
      JsonNode r = runs.get(0);
      return String.format(Locale.ROOT, ", retraining %s step %d/%d", r.path("state").asText(),
          r.at("/progress/step").asLong(), r.at("/progress/steps").asLong());
    }

    /** One line for the summary. */
    String summary() {
      if (ids == null) {
        return "no run: the trainer did not get enough sampled frames before the frames ran out";
      }
      if (runs.isEmpty()) {
        return "run " + String.join(", ", ids) + " requested; no status came back";
      }
      List<String> parts = new ArrayList<>();
      for (JsonNode r : runs) {
        parts.add("run " + r.path("id").asText() + " " + describe(r));
      }
      if (switchNote != null) {
        parts.add(switchNote);
      }
      return String.join("; ", parts);
    }

    /** The runs for report.json: the figures a reader compares, and the service's own record of each run. */
    List<Map<String, Object>> report(Map<String, Integer> framesPerVersion) {
      List<Map<String, Object>> out = new ArrayList<>();
      for (JsonNode r : runs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.path("id").asText());
        m.put("model", r.path("model").asText());
        m.put("status", status(r));
        m.put("reason", r.path("reason").isNull() ? null : r.path("reason").asText());
        m.put("durationSeconds", duration(r));
        m.put("steps", r.at("/progress/step").asLong());
        m.put("trainFrames", r.at("/data/trainFrames").asInt());
        m.put("heldoutFrames", r.at("/data/heldoutFrames").asInt());
        m.put("champion", score(r, "champion"));
        m.put("challenger", score(r, "challenger"));
        JsonNode e = r.path("evaluation");
        m.put("costImprovement", e.isMissingNode() ? null : e.path("improvement").asDouble());
        String challenger = r.path("challenger").asText(null);
        m.put("framesEncodedByChallenger", challenger == null ? 0 : framesPerVersion.getOrDefault(challenger, 0));
        m.put("service", r);
        out.add(m);
      }
      return out;
    }

    private String status(JsonNode r) {
      return switch (r.path("state").asText()) {
        case "PROMOTED" -> "promoted";
        case "KEPT_CHAMPION" -> "rejected";
        case "SKIPPED" -> "skipped";
        case "FAILED" -> "failed";
        default -> timedOut ? "timed out (" + r.path("state").asText() + ")" : r.path("state").asText();
      };
    }

    private static Double duration(JsonNode r) {
      if (r.path("startedAt").isNull() || r.path("startedAt").isMissingNode() || r.path("finishedAt").isNull()
          || r.path("finishedAt").isMissingNode()) {
        return null;
      }
      return Duration.between(Instant.parse(r.path("startedAt").asText()),
          Instant.parse(r.path("finishedAt").asText())).toMillis() / 1000.0;
    }

    private static ObjectNode score(JsonNode r, String which) {
      JsonNode s = r.path("evaluation").path(which);
      ObjectNode n = JSON.createObjectNode();
      n.put("version", r.path(which).asText(null));
      if (!s.isMissingNode()) {
        n.put("bpp", s.path("bpp").asDouble());
        n.put("psnr", s.path("psnr").asDouble());
        n.put("cost", s.path("cost").asDouble());
        n.put("frames", s.path("frames").asInt());
      }
      return n;
    }

    private String describe(JsonNode r) {
      String status = status(r);
      StringBuilder b = new StringBuilder(status);
      Double d = duration(r);
      if (d != null) {
        b.append(String.format(Locale.ROOT, " after %.0f s", d));
      }
      JsonNode e = r.path("evaluation");
      if (!e.isMissingNode()) {
        b.append(String.format(Locale.ROOT, " (held-out cost %+.1f%%: %.3f -> %.3f bpp, %.2f -> %.2f dB)",
            -100 * e.path("improvement").asDouble(), e.at("/champion/bpp").asDouble(),
            e.at("/challenger/bpp").asDouble(), e.at("/champion/psnr").asDouble(),
            e.at("/challenger/psnr").asDouble()));
      }
      if (!status.equals("promoted") && !r.path("reason").isNull() && !r.path("reason").isMissingNode()) {
        b.append(": ").append(r.path("reason").asText());
      }
      return b.toString();
    }
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
        LoggerFactory.getLogger(DemoCommand.class).warn("closing {} failed: {}", next, e.toString());
      }
    }
  }

  private static void progress(PrintWriter err, String line) {
    err.println("demo: " + line);
    err.flush();
  }

  private static void awaitReady(StreamsApp app) throws InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!app.isReady()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the streams app is not ready after " + READY_TIMEOUT.toSeconds()
            + " s (state " + app.streams().state() + ")");
      }
      Thread.sleep(50); // a state poll: KafkaStreams has no blocking await
    }
  }

  private static Map<String, Object> producerConfig(StreamsAppConfig config) {
    Map<String, Object> p = new HashMap<>(config.kafkaOverrides());
    p.keySet().retainAll(ProducerConfig.configNames());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(StreamsAppConfig.BOOTSTRAP_SERVERS));
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "demo-cameras");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.maxMessageBytes(config));
    return p;
  }

  private static Map<String, Object> consumerConfig(StreamsAppConfig config) {
    Map<String, Object> c = new HashMap<>(config.kafkaOverrides());
    c.keySet().retainAll(ConsumerConfig.configNames());
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(StreamsAppConfig.BOOTSTRAP_SERVERS));
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.maxMessageBytes(config));
    return c;
  }
}
