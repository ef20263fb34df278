package io.latentstream.streams.bench;

import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.files.FileTrees;
import io.latentstream.streams.StreamsApp;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.feed.CameraFeed;
import io.latentstream.streams.feed.FrameTally;
import io.latentstream.streams.serde.RecordSerdes;
import io.latentstream.streams.topology.Topics;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One measurement of the full pipeline: a fresh {@link StreamsApp} (its own application id, topics
 * and state directory, so every run starts from nothing), a producer thread publishing the run's
 * frames, and a read_committed consumer of the latent topic on the calling thread.
 *
 * <p>The producer keeps at most {@code inFlight} frames published but not yet seen on the latent
 * topic: enough to keep the stream threads busy across a transaction commit, few enough that the
 * latency measured is the pipeline's and not the length of a backlog (with an unbounded producer
 * the last frame would wait for all the others). Latency is from the producer's {@code send} to the
 * consumer's poll returning the {@link LatentFrame} (same JVM, {@link System#nanoTime()}).
 * Throughput counts the frames that arrived after the first {@code warmup} arrivals, over the time
 * from that arrival to the last one.
 *
 * <p>Not thread-safe; one run at a time. Everything the run starts is closed when {@link #measure}
 * returns or throws (and by the {@link BenchResources} shutdown hook on Ctrl-C).
 */
final class PipelineRun {

  private static final Logger LOG = LoggerFactory.getLogger(PipelineRun.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration DRAIN = Duration.ofSeconds(2);
  private static final String BENCH_PRODUCER = "bench-pipeline-producer";

  /** What one run measured. Latencies in milliseconds, over the frames after the warm-up. */
  record Result(
      int frames,
      int received,
      int duplicates,
      double framesPerSecond,
      double p50Millis,
      double p99Millis,
      double maxMillis,
      double windowSeconds,
      double processMillisMean,
      Map<String, Double> cpu,
      Map<String, Double> streamThread,
      long latentBytes,
      int keyFrames,
      byte[][] bitstreams,
      Map<String, Object> probes) {}

  private final Map<String, Object> baseConfig;
  private final CameraFeed frames;
  private final int inFlight;
  private final int warmup;
  private final Duration stallTimeout;
  private final BenchResources resources;
  private final Path workDir;
  private boolean probe;

  /**
   * @param baseConfig streams app settings shared by every run (broker, registry, model, threads,
   *     overrides)
   * @param workDir where the run's state directory goes (deleted after the run)
   */
  PipelineRun(
      Map<String, Object> baseConfig,
      CameraFeed frames,
      int inFlight,
      int warmup,
      Duration stallTimeout,
      BenchResources resources,
      Path workDir) {
    this.baseConfig = Map.copyOf(baseConfig);
    this.frames = frames;
    this.inFlight = inFlight;
    this.warmup = warmup;
    this.stallTimeout = stallTimeout;
    this.resources = resources;
    this.workDir = workDir;
  }

  /**
   * Whether runs end with the failover and random-access probes ({@link RunProbes}) while the app
   * still runs; they come after the throughput and latency window, so they do not change those
   * figures.
   */
  PipelineRun withProbes() {
    this.probe = true;
    return this;
  }

  Result measure(String runId) throws IOException, InterruptedException {
    Map<String, Object> settings = new HashMap<>(baseConfig);
    String app = "bench-pipeline-" + runId;
    settings.put(StreamsAppConfig.APPLICATION_ID, app);
    settings.put(StreamsAppConfig.GROUP_INSTANCE_ID, app + "-0");
    for (String key : StreamsAppConfig.TOPIC_KEYS) {
      String defaultName = (String) StreamsAppConfig.CONFIG_DEF.configKeys().get(key).defaultValue;
      settings.put(key, "bench-" + runId + "." + defaultName);
    }
    Path stateDir = Files.createDirectories(workDir.resolve("state-" + runId));
    settings.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    StreamsAppConfig config = StreamsAppConfig.of(settings);
    String rawTopic = config.getString(StreamsAppConfig.TOPIC_RAW);
    String latentTopic = config.getString(StreamsAppConfig.TOPIC_LATENT);

    RecordSerdes serdes = new RecordSerdes(RecordSerdes.client(config));
    // serialized before the clock starts: the producer only sends bytes
    byte[][] values = new byte[frames.total()][];
    Instant capture = Instant.now();
    for (int i = 0; i < values.length; i++) {
      values[i] =
          serdes
              .rawFrame()
              .serializer()
              .serialize(rawTopic, frames.record(i, capture.plusMillis(i)));
    }
    byte[][] keys = new byte[frames.cameras()][];
    for (int c = 0; c < keys.length; c++) {
      keys[c] = frames.cameraId(c).getBytes(StandardCharsets.UTF_8);
    }

    StreamsApp streamsApp = StreamsApp.start(config);
    AutoCloseable appCloser =
        () -> {
          // On Ctrl-C the child broker is stopped by its own hook at the same time, and the app's
          // close would wait 30 s
          // for it. The stream threads get a short close; if they do not stop, the models are left
          // to the exiting JVM
          // (closing a model under a running predictor crashes it).
          if (resources.inShutdownHook() && !streamsApp.streams().close(Duration.ofSeconds(5))) {
            LOG.warn("the streams app did not stop within 5 s; leaving it to the JVM exit");
            return;
          }
          streamsApp.close();
        };
    resources.add("streams app " + app, appCloser);
    try (KafkaConsumer<byte[], byte[]> consumer = Topics.consumer(Topics.readerConfig(config));
        KafkaProducer<byte[], byte[]> producer = Topics.producer(producerConfig(config))) {
      streamsApp.awaitReady(READY_TIMEOUT);
      List<TopicPartition> partitions =
          consumer.partitionsFor(latentTopic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(latentTopic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      consumer.poll(Duration.ZERO); // resolves the start offsets before the first frame is sent

      Semaphore window = new Semaphore(inFlight);
      AtomicLongArray sent = new AtomicLongArray(frames.total());
      long[] arrived = new long[frames.total()];
      AtomicReference<Throwable> producerError = new AtomicReference<>();
      AtomicLong producerFinalCpu = new AtomicLong();
      Thread producerThread =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < values.length && producerError.get() == null; i++) {
                    window.acquire();
                    sent.set(i, System.nanoTime());
                    producer.send(
                        new ProducerRecord<>(
                            rawTopic,
                            null,
                            System.currentTimeMillis(),
                            keys[i % keys.length],
                            values[i]),
                        (meta, e) -> {
                          if (e != null) {
                            producerError.compareAndSet(null, e);
                          }
                        });
                  }
                  producer.flush();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                  producerError.compareAndSet(null, e);
                } finally {
                  producerFinalCpu.set(
                      Math.max(0, ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()));
                }
              },
              "bench-producer");
      producerThread.setDaemon(true);

      Deserializer<LatentFrame> latent = serdes.latentFrame().deserializer();
      FrameTally tally = new FrameTally(frames, null);
      Map<String, Object> probes = new LinkedHashMap<>();
      byte[][] bitstreams = new byte[frames.total()][];
      Map<String, Double> cpu;
      Map<String, Double> streamThread;
      // CPU and the stream thread's time are measured over the frames that throughput counts: from
      // the arrival
      // that ends the warm-up to the last one (the JIT of this JVM and of the broker is busiest
      // before)
      int skip = Math.min(warmup, frames.total() - 2);
      int steadyFrames = frames.total() - 1 - skip;
      StreamThreadClock clockStart = null;
      CpuMeter cpuStart = null;
      double[] encodeStart = null;
      long clientsCpuStart = 0;
      producerThread.start();
      try {
        long lastProgress = System.nanoTime();
        while (!tally.complete()) {
          ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
          long now = System.nanoTime();
          for (ConsumerRecord<byte[], byte[]> record : batch) {
            int i = count(tally, latent.deserialize(latentTopic, record.value()), bitstreams);
            if (i < 0) {
              continue;
            }
            arrived[i] = now;
            window.release();
          }
          int received = tally.latents();
          if (!batch.isEmpty()) {
            lastProgress = now;
          }
          if (cpuStart == null && received > skip) {
            clockStart = StreamThreadClock.start(streamsApp.streams());
            cpuStart = CpuMeter.now();
            encodeStart = encodeHistogram(streamsApp);
            clientsCpuStart = benchClientsCpuNanos(producerThread, producerFinalCpu);
          }
          failIfStuck(streamsApp, producerError.get(), received, now - lastProgress, config);
        }
        cpu = new LinkedHashMap<>(CpuMeter.now().since(cpuStart, steadyFrames));
        double[] encodeEnd = encodeHistogram(streamsApp);
        // tiny frames can all be encoded before the warm-up ones arrive: then the mean over the
        // whole run
        double encodeMs =
            encodeEnd[1] > encodeStart[1]
                ? (encodeEnd[0] - encodeStart[0]) / (encodeEnd[1] - encodeStart[1]) * 1e3
                : processMillisMean(streamsApp);
        streamThread =
            StreamThreadClock.end(streamsApp.streams())
                .since(
                    clockStart,
                    steadyFrames,
                    config.getInt(StreamsAppConfig.NUM_STREAM_THREADS),
                    encodeMs);
        cpu.put(
            "benchClientsCpuMsPerFrame",
            (benchClientsCpuNanos(producerThread, producerFinalCpu) - clientsCpuStart)
                / 1e6
                / steadyFrames);
        drain(consumer, latent, latentTopic, tally, bitstreams);
        if (probe) {
          probes.putAll(RunProbes.failover(config, frames, tally));
          probes.putAll(
              RunProbes.randomAccess(
                  streamsApp, frames, bitstreams, tally, workDir.resolve("models")));
        }
      } finally {
        producerThread.interrupt();
        producerThread.join(TimeUnit.SECONDS.toMillis(10));
      }
      return result(
          sent,
          arrived,
          tally,
          processMillisMean(streamsApp),
          cpu,
          streamThread,
          bitstreams,
          probes);
    } finally {
      resources.closeNow(appCloser);
      FileTrees.deleteTree(stateDir);
    }
  }

  /**
   * CPU time of the benchmark's own producer and consumer, which share this JVM with the app: the
   * calling thread (the consumer), the producer thread and the producer's network thread.
   */
  private static long benchClientsCpuNanos(Thread producerThread, AtomicLong producerFinalCpu) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long total = Math.max(0, threads.getCurrentThreadCpuTime());
    long producer =
        producerThread.isAlive() ? threads.getThreadCpuTime(producerThread.getId()) : -1;
    total +=
        producer >= 0 ? producer : producerFinalCpu.get(); // its last reading once it has ended
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().contains(BENCH_PRODUCER)) {
        total += Math.max(0, threads.getThreadCpuTime(t.getId()));
      }
    }
    return total;
  }

  /**
   * Mean time the encode processor spent per frame (deserialize, validate, encode, build the
   * record), from the app's own encode latency histogram: what is left of the wall time per frame
   * went to Kafka and waiting.
   */
  private static double processMillisMean(StreamsApp app) {
    double[] h = encodeHistogram(app);
    return h[1] == 0 ? Double.NaN : h[0] / h[1] * 1e3;
  }

  /** Sum (seconds) and count of the app's encode latency histogram. */
  private static double[] encodeHistogram(StreamsApp app) {
    for (MetricSnapshot snapshot : app.metrics().registry().scrape()) {
      if (snapshot instanceof HistogramSnapshot h
          && h.getMetadata().getName().startsWith("latentstream_encode_latency")
          && !h.getDataPoints().isEmpty()) {
        HistogramSnapshot.HistogramDataPointSnapshot point = h.getDataPoints().get(0);
        return new double[] {point.getSum(), point.getCount()};
      }
    }
    return new double[] {Double.NaN, 0};
  }

  private Result result(
      AtomicLongArray sent,
      long[] arrived,
      FrameTally tally,
      double processMillisMean,
      Map<String, Double> cpu,
      Map<String, Double> streamThread,
      byte[][] bitstreams,
      Map<String, Object> probes) {
    int n = arrived.length;
    int skip = Math.min(warmup, n - 2);
    long[] order = arrived.clone();
    Arrays.sort(order);
    double window = (order[n - 1] - order[skip]) / 1e9;
    double fps = window > 0 ? (n - 1 - skip) / window : Double.NaN;
    // latency of the frames sent after the warm-up ones
    double[] latencies = new double[n - skip];
    for (int i = skip; i < n; i++) {
      latencies[i - skip] = (arrived[i] - sent.get(i)) / 1e6;
    }
    return new Result(
        n,
        tally.latents(),
        tally.duplicates(),
        fps,
        Percentiles.of(latencies, 50),
        Percentiles.of(latencies, 99),
        Percentiles.of(latencies, 100),
        window,
        processMillisMean,
        cpu,
        streamThread,
        tally.latentBytes(),
        tally.keyFrames(),
        bitstreams,
        probes);
  }

  /** Counts a latent frame; returns its index in the run when it is new, -1 for a duplicate. */
  private static int count(FrameTally tally, LatentFrame frame, byte[][] bitstreams) {
    int i = tally.latent(frame);
    if (tally.foreign() > 0) {
      throw new IllegalStateException(
          "unexpected frame on the latent topic: "
              + frame.getCameraId()
              + "/"
              + frame.getSequence());
    }
    if (i >= 0) {
      byte[] bits = new byte[frame.getBitstream().remaining()];
      frame.getBitstream().duplicate().get(bits);
      bitstreams[i] = bits;
    }
    return i;
  }

  /** Reads on to the end of the committed data: duplicates would be there. */
  private static void drain(
      KafkaConsumer<byte[], byte[]> consumer,
      Deserializer<LatentFrame> latent,
      String topic,
      FrameTally tally,
      byte[][] bitstreams) {
    Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
    long deadline = System.nanoTime() + DRAIN.toNanos();
    while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
        && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
        count(tally, latent.deserialize(topic, record.value()), bitstreams);
      }
    }
  }

  private void failIfStuck(
      StreamsApp app,
      Throwable producerError,
      int received,
      long idleNanos,
      StreamsAppConfig config) {
    if (producerError != null) {
      throw new IllegalStateException(
          "the bench producer failed after " + received + " frames: " + producerError,
          producerError);
    }
    if (!app.streams().state().isRunningOrRebalancing()) {
      throw new IllegalStateException(
          "the streams app stopped ("
              + app.streams().state()
              + ") after "
              + received
              + " frames; see the log");
    }
    if (idleNanos > stallTimeout.toNanos()) {
      throw new IllegalStateException(
          "no new latent frame for "
              + stallTimeout.toSeconds()
              + " s after "
              + received
              + " of "
              + frames.total()
              + "; frames rejected by the app are on "
              + config.getString(StreamsAppConfig.TOPIC_DLQ));
    }
  }

  private static Map<String, Object> producerConfig(StreamsAppConfig config) {
    Map<String, Object> p = Topics.writerConfig(config, BENCH_PRODUCER);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 0); // frames are sent one by one as the window opens
    return p;
  }
}
