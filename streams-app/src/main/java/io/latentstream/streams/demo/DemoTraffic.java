package io.latentstream.streams.demo;

import io.latentstream.codec.model.ModelCatalog;
import io.latentstream.codec.sequence.FrameReceiver;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.RawFrame;
import io.latentstream.streams.StreamsApp;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.feed.CameraFeed;
import io.latentstream.streams.feed.FrameTally;
import io.latentstream.streams.serde.RecordSerdes;
import io.latentstream.streams.topology.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The demo's traffic: the cameras publish their frames to the raw topic on a thread of their own
 * while this loop reads the latent and dead-letter topics (read_committed) and accounts for every
 * frame ({@link FrameTally}). It decodes what arrives the way any consumer would (per camera, KEY
 * and DELTA frames in order), keeps a few decoded frames for the report, and, with a retraining
 * service, holds the cameras' last frames back until the retraining run is decided ({@link
 * DemoRetraining}).
 *
 * <p>One run per instance, on the calling thread.
 */
final class DemoTraffic {

  /**
   * Latents decoded for PSNR and the JPEG comparison: decoding and bisecting every frame takes
   * longer than the run.
   */
  static final int QUALITY_SAMPLE = 24;

  private static final long TRAINER_POLL_NANOS = 1_000_000_000L;

  /** What the run saw. */
  record Outcome(
      FrameTally tally,
      List<DemoReport.Sampled> sample,
      List<String> versions,
      Map<String, Integer> framesPerVersion,
      double seconds,
      double heldSeconds) {}

  private final StreamsApp app;
  private final StreamsAppConfig config;
  private final CameraFeed feed;
  private final DemoTrainer trainer;
  private final DemoRetraining retraining;
  private final int holdAt;
  private final long triggerAt;
  private final int stallSeconds;
  private final PrintWriter err;

  /**
   * @param trainer the retraining service, or null without one
   * @param holdAt sequence at which the cameras wait for the retraining run (framesPerCamera:
   *     never)
   * @param triggerAt sampled frames stored after which the demo asks for the run
   */
  DemoTraffic(
      StreamsApp app,
      StreamsAppConfig config,
      CameraFeed feed,
      DemoTrainer trainer,
      DemoRetraining retraining,
      int holdAt,
      long triggerAt,
      int stallSeconds,
      PrintWriter err) {
    this.app = app;
    this.config = config;
    this.feed = feed;
    this.trainer = trainer;
    this.retraining = retraining;
    this.holdAt = holdAt;
    this.triggerAt = triggerAt;
    this.stallSeconds = stallSeconds;
    this.err = err;
  }

  Outcome run(ModelCatalog decoders) throws IOException, InterruptedException {
    String rawTopic = config.getString(StreamsAppConfig.TOPIC_RAW);
    String latentTopic = config.getString(StreamsAppConfig.TOPIC_LATENT);
    String dlqTopic = config.getString(StreamsAppConfig.TOPIC_DLQ);
    int cameras = feed.cameras();
    int framesPerCamera = feed.framesPerCamera();
    int total = feed.total();
    RecordSerdes serdes = new RecordSerdes(RecordSerdes.client(config));
    Serializer<RawFrame> rawSerializer = serdes.rawFrame().serializer();
    Deserializer<LatentFrame> latentDeserializer = serdes.latentFrame().deserializer();
    int sampleStride = Math.max(1, total / QUALITY_SAMPLE);
    List<DemoReport.Sampled> sample = new ArrayList<>();
    FrameReceiver receiver = new FrameReceiver(decoders, null, 0);
    TreeSet<String> versions = new TreeSet<>();
    Map<String, Integer> framesPerVersion = new LinkedHashMap<>();
    AtomicInteger sent = new AtomicInteger();
    AtomicReference<Throwable> producerError = new AtomicReference<>();
    AtomicBoolean holding = new AtomicBoolean();
    CountDownLatch resume = new CountDownLatch(holdAt < framesPerCamera ? 1 : 0);
    // millisecond precision: capture times travel as timestamp-millis and are compared with this
    Instant runStart = Instant.ofEpochMilli(System.currentTimeMillis());
    // frames of an earlier, interrupted run are older than this run's start
    FrameTally tally = new FrameTally(feed, runStart);
    long startNanos;
    long lastArrival;
    long heldNanos = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = Topics.consumer(Topics.readerConfig(config));
        KafkaProducer<byte[], byte[]> producer =
            Topics.producer(Topics.writerConfig(config, "demo-cameras"))) {
      // start at the end: a reused data directory holds the frames of earlier runs
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(latentTopic, dlqTopic)) {
        consumer
            .partitionsFor(topic, Duration.ofSeconds(30))
            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);

      Thread producerThread =
          new Thread(
              () -> {
                try {
                  for (int seq = 0; seq < framesPerCamera && producerError.get() == null; seq++) {
                    if (seq == holdAt) {
                      producer.flush();
                      holding.set(true);
                      resume.await();
                      holding.set(false);
                    }
                    for (int c = 0; c < cameras; c++) {
                      Instant capture = runStart.plusMillis((long) seq * cameras + c);
                      byte[] value =
                          rawSerializer.serialize(rawTopic, feed.record(c, seq, capture));
                      producer.send(
                          new ProducerRecord<>(
                              rawTopic,
                              null,
                              capture.toEpochMilli(),
                              feed.cameraId(c).getBytes(StandardCharsets.UTF_8),
                              value),
                          (meta, e) -> {
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
              },
              "demo-cameras");
      producerThread.setDaemon(true);
      startNanos = System.nanoTime();
      lastArrival = startNanos;
      long lastProgress = 0;
      long lastChange = startNanos;
      long lastTrainerPoll = 0;
      long holdStarted = 0;
      boolean holdCounted = false;
      producerThread.start();
      while (!tally.complete()) {
        boolean changed = false;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.topic().equals(dlqTopic)) {
            tally.deadLetter();
            changed = true;
            continue;
          }
          LatentFrame f = latentDeserializer.deserialize(latentTopic, record.value());
          int index = tally.latent(f);
          if (index < 0) {
            continue;
          }
          changed = true;
          versions.add(f.getModelVersion());
          framesPerVersion.merge(f.getModelVersion(), 1, Integer::sum);
          byte[] bits = new byte[f.getBitstream().remaining()];
          f.getBitstream().duplicate().get(bits);
          boolean sampled = index % sampleStride == 0 && sample.size() < QUALITY_SAMPLE;
          // every frame advances its camera's chain (KEY and DELTA frames); only sampled ones are
          // synthesised
          FrameReceiver.Received got = receiver.receive(f.getCameraId(), bits, sampled);
          if (sampled && got instanceof FrameReceiver.Picture p) {
            sample.add(
                new DemoReport.Sampled(
                    index % cameras, f.getSequence(), bits, f.getModelVersion(), p.image()));
          }
        }
        long now = System.nanoTime();
        if (changed) {
          lastChange = now;
          lastArrival = now;
        }
        int accounted = tally.latents() + tally.deadLetters();
        boolean partOneDone = holding.get() && accounted >= holdAt * cameras;
        if (holdStarted == 0 && partOneDone && resume.getCount() > 0) {
          holdStarted = now;
          DemoCommand.progress(
              err,
              "the cameras hold their last "
                  + (framesPerCamera - holdAt)
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
        // a line when something moved (at most one a second), else one every 10 s to show it is
        // alive
        if ((changed && now - lastProgress > 1_000_000_000L)
            || now - lastProgress > 10_000_000_000L) {
          lastProgress = now;
          DemoCommand.progress(
              err,
              String.format(
                  Locale.ROOT,
                  "sent %d/%d, latents %d, dead letters %d, %.1f frames/s%s",
                  sent.get(),
                  total,
                  tally.latents(),
                  tally.deadLetters(),
                  tally.latents() / ((now - startNanos) / 1e9),
                  retraining.progressSuffix()));
        }
        if (producerError.get() != null) {
          throw new IllegalStateException(
              "publishing frames failed: " + producerError.get(), producerError.get());
        }
        if (!app.streams().state().isRunningOrRebalancing()) {
          throw new IllegalStateException(
              "the streams app stopped ("
                  + app.streams().state()
                  + ") after "
                  + tally.latents()
                  + " frames; see the log");
        }
        if (now - lastChange > Duration.ofSeconds(stallSeconds).toNanos()) {
          throw new IllegalStateException(
              "no frame accounted for in "
                  + stallSeconds
                  + " s: "
                  + tally.latents()
                  + " latents and "
                  + tally.deadLetters()
                  + " dead letters of "
                  + total);
        }
      }
      producerThread.join(10_000);
      // with too few frames to hold any back the run may still be going: wait for its decision all
      // the same
      while (trainer != null && retraining.active()) {
        if (retraining.poll(trainer, app, System.nanoTime(), triggerAt, true, err)) {
          break;
        }
        DemoCommand.progress(err, "waiting for the retraining run" + retraining.progressSuffix());
        Thread.sleep(2_000); // polling the trainer's HTTP status: it has no push channel
      }
    }
    return new Outcome(
        tally,
        sample,
        List.copyOf(versions),
        framesPerVersion,
        (lastArrival - startNanos) / 1e9,
        heldNanos / 1e9);
  }
}
