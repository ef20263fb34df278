package io.latentstream.streams.demo;

import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.ModelCatalog;
import io.latentstream.platform.LocalPlatform;
import io.latentstream.platform.PortInUseException;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.streams.StreamsApp;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.serde.RecordSerdes;
import io.latentstream.streams.topology.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./latentstream demo}: the whole pipeline on this machine. Starts the local broker and schema registry
 * (child JVMs, data kept in {@code --data-dir}) and the streams app in this JVM, publishes the frames of a few
 * simulated fixed cameras ({@link CameraFrames}), waits until every frame is on the latent topic or the dead-letter
 * topic (read_committed), then writes the report ({@link DemoReport}) and prints a summary.
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
      description = "Broker, registry and app state; reused by the next run unless --clean"
          + " (default: .latentstream/demo of the project).")
  Path dataDir;

  @Option(names = "--clean", description = "Delete the data directory first.")
  boolean clean;

  @Option(names = "--model", defaultValue = "default", paramLabel = "NAME",
      description = "Model family or package name in the models directory (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--quality", paramLabel = "N", description = "Quality level of the family (default: the newest).")
  Integer quality;

  @Option(names = "--models-dir", paramLabel = "DIR", description = "Models directory (default: models/).")
  Path modelsDir;

  @Option(names = "--photos", paramLabel = "DIR", description = "Photos to film (default: data/photos).")
  Path photos;

  @Option(names = "--broker-port", defaultValue = "9092", paramLabel = "PORT") int brokerPort;
  @Option(names = "--controller-port", defaultValue = "9093", paramLabel = "PORT") int controllerPort;
  @Option(names = "--registry-port", defaultValue = "8081", paramLabel = "PORT") int registryPort;

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
    if (!wh.matches() || framesPerCamera < 1 || cameras < 1) {
      err.println("demo: need --size WIDTHxHEIGHT (e.g. 640x480), --frames and --cameras of at least 1");
      return 2;
    }
    int width = Integer.parseInt(wh.group(1));
    int height = Integer.parseInt(wh.group(2));
    Path root = Paths.get(System.getProperty("latentstream.root", "."));
    Path photoDir = photos != null ? photos : root.resolve("data/photos");
    Path data = (dataDir != null ? dataDir : root.resolve(".latentstream/demo")).toAbsolutePath();
    if (clean) {
      deleteTree(data);
    }
    Files.createDirectories(data);

    progress(err, "reading photos from " + photoDir);
    CameraFrames frames = CameraFrames.load(photoDir, width, height, cameras, framesPerCamera);
    ModelCatalog catalog = add(modelsDir != null ? new ModelCatalog(modelsDir, 4) : ModelCatalog.fromEnvironment());
    Path packageDir = catalog.locate(model, quality);
    CodecModel encoderModel = add(CodecModel.load(packageDir));
    ModelCatalog.Entry entry = new ModelCatalog(packageDir.getParent(), 1).entries().stream()
        .filter(e -> e.directory().equals(packageDir)).findFirst().orElseThrow();
    if (entry.family().isEmpty()) {
      err.println("demo: the streams app encodes with a package named <family>-q<N>; " + packageDir.getFileName()
          + " is not one");
      return 2;
    }

    progress(err, "starting the local broker and schema registry (data in " + data + ") ...");
    LocalPlatform platform = add(LocalPlatform.builder().optBrokerPort(brokerPort).optControllerPort(controllerPort)
        .optRegistryPort(registryPort).optDataDir(data.resolve("platform")).start());

    Map<String, Object> settings = new HashMap<>();
    settings.put(StreamsAppConfig.BOOTSTRAP_SERVERS, platform.bootstrapServers());
    settings.put(StreamsAppConfig.SCHEMA_REGISTRY_URL, platform.registryUrl());
    settings.put(StreamsAppConfig.APPLICATION_ID, "latentstream-demo");
    settings.put(StreamsAppConfig.MODELS_DIR, packageDir.getParent().toString());
    settings.put(StreamsAppConfig.MODEL_NAME, entry.family().get());
    settings.put(StreamsAppConfig.MODEL_QUALITY, entry.quality().get());
    settings.put(StreamsAppConfig.HTTP_PORT, 0);
    settings.put(StreamsConfig.STATE_DIR_CONFIG, data.resolve("streams-state").toString());
    StreamsAppConfig config = StreamsAppConfig.of(settings);
    String rawTopic = config.getString(StreamsAppConfig.TOPIC_RAW);
    String latentTopic = config.getString(StreamsAppConfig.TOPIC_LATENT);
    String dlqTopic = config.getString(StreamsAppConfig.TOPIC_DLQ);

    progress(err, "starting the streams app (model " + encoderModel.version() + ") ...");
    StreamsApp app = StreamsApp.start(config);
    add(() -> {
      // On Ctrl-C the broker child is stopped by its own hook meanwhile: a short close, then leave it to the exit.
      if (Thread.currentThread() == hook && !app.streams().close(Duration.ofSeconds(5))) {
        return;
      }
      app.close();
    });
    awaitReady(app);
    out.println("demo: streams app ready (REST on http://127.0.0.1:" + app.http().port() + "/)");
    out.flush();

    RecordSerdes serdes = new RecordSerdes(RecordSerdes.client(config));
    Serializer<io.latentstream.schemas.RawFrame> rawSerializer = serdes.rawFrame().serializer();
    var latentDeserializer = serdes.latentFrame().deserializer();
    int total = frames.total();
    int sampleStride = Math.max(1, total / QUALITY_SAMPLE);
    List<DemoReport.Sampled> sample = new ArrayList<>();
    TreeSet<String> versions = new TreeSet<>();
    BitSet arrived = new BitSet(total);
    int latents = 0;
    int duplicates = 0;
    int dlq = 0;
    long encoderBytes = 0;
    AtomicInteger sent = new AtomicInteger();
    AtomicReference<Throwable> producerError = new AtomicReference<>();
    // millisecond precision: capture times travel as timestamp-millis and are compared with this
    Instant runStart = Instant.ofEpochMilli(System.currentTimeMillis());
    long startNanos;
    long lastArrival;
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
        } catch (RuntimeException e) {
          producerError.compareAndSet(null, e);
        }
      }, "demo-cameras");
      producerThread.setDaemon(true);
      startNanos = System.nanoTime();
      lastArrival = startNanos;
      long lastProgress = 0;
      long lastChange = startNanos;
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
          versions.add(f.getModelVersion());
          if (index % sampleStride == 0 && sample.size() < QUALITY_SAMPLE) {
            byte[] bits = new byte[f.getBitstream().remaining()];
            f.getBitstream().duplicate().get(bits);
            sample.add(new DemoReport.Sampled(camera, f.getSequence(), bits, f.getModelVersion()));
          }
        }
        long now = System.nanoTime();
        if (changed) {
          lastChange = now;
          lastArrival = now;
        }
        // a line when something moved (at most one a second), else one every 10 s to show it is alive
        if ((changed && now - lastProgress > 1_000_000_000L) || now - lastProgress > 10_000_000_000L) {
          lastProgress = now;
          progress(err, String.format(Locale.ROOT, "sent %d/%d, latents %d, dead letters %d, %.1f frames/s",
              sent.get(), total, latents, dlq, latents / ((now - startNanos) / 1e9)));
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
    }
    double seconds = (lastArrival - startNanos) / 1e9;
    progress(err, String.format(Locale.ROOT, "all %d frames accounted for in %.1f s; measuring quality ...",
        total, seconds));

    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("date", Instant.now().toString());
    counts.put("frameSize", width + "x" + height);
    counts.put("pixelFormat", "RGB24");
    counts.put("cameras", cameras);
    counts.put("framesPerCamera", framesPerCamera);
    counts.put("framesIn", total);
    counts.put("latentsOut", latents);
    counts.put("dlqCount", dlq);
    counts.put("duplicates", duplicates);
    counts.put("throughputFps", seconds > 0 ? latents / seconds : Double.NaN);
    counts.put("elapsedSeconds", seconds);
    counts.put("meanBppAllFrames", 8.0 * encoderBytes / Math.max(1, latents) / (width * height));
    counts.put("modelVersionsSeen", List.copyOf(versions));
    counts.put("retrainingRuns", 0);
    counts.put("retraining", "not run by the demo: start the retraining service with ./latentstream trainer");
    closeAll(); // frees the CPU for the quality measurement
    LearnedCodec codec = new LearnedCodec(encoderModel, catalog);
    Map<String, Object> report = new DemoReport().write(reportDir, counts, sample, frames, codec,
        "learned (" + entry.name() + ")");
    add(catalog);
    add(encoderModel);

    boolean ok = latents == total && dlq == 0;
    out.println();
    out.printf(Locale.ROOT, "demo: %d cameras x %d frames of %s: %d in, %d latents out, %d dead letters%n", cameras,
        framesPerCamera, width + "x" + height, total, latents, dlq);
    out.printf(Locale.ROOT, "  throughput %.2f frames/s over %.1f s; model versions %s%n",
        report.get("throughputFps"), seconds, versions);
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

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
