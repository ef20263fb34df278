package io.latentstream.trainer.service;

import io.latentstream.codec.image.ContainerFormat;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.registry.RegistryUnavailableException;
import io.latentstream.schemas.serde.InvalidPayloadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link FrameReservoir} from the sample topic on its own thread: a consumer group member
 * (offsets committed after the frames of a poll are on disk, so a restart resumes where the
 * reservoir stopped; a frame read twice overwrites its own file), read_committed. A record that
 * cannot be decoded is logged with its reason, counted by reason ({@link #skippedByReason()}) and
 * skipped: the sample topic is a best-effort data source, not a pipeline that must stop. A record
 * that cannot be read because the schema registry is unavailable is not skipped: offsets are
 * committed only up to it, the consumer seeks back to it and reads it again after a pause (1 s
 * doubling to 30 s).
 *
 * <p>Thread-safe: {@link #start()} once, {@link #close()} from any thread. Owns its consumer and
 * thread, not the reservoir nor the deserializer.
 */
public final class SampleReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SampleReader.class);
  private static final long FIRST_RETRY_MS = 1_000;
  private static final long MAX_RETRY_MS = 30_000;

  private final KafkaConsumer<String, byte[]> consumer;
  private final Deserializer<RawFrame> deserializer;
  private final FrameReservoir reservoir;
  private final String topic;
  private final Thread thread;
  private final AtomicLong stored = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong deferred = new AtomicLong();
  private final ConcurrentMap<String, AtomicLong> skippedByReason = new ConcurrentSkipListMap<>();
  private volatile boolean running = true;
  private boolean started; // guarded by this
  private volatile Throwable failure;

  public SampleReader(
      TrainerServiceConfig config, Deserializer<RawFrame> deserializer, FrameReservoir reservoir) {
    Map<String, Object> props = config.kafkaClientConfig(ConsumerConfig.configNames());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, config.getString(TrainerServiceConfig.GROUP_ID));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
    this.consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    this.deserializer = deserializer;
    this.reservoir = reservoir;
    this.topic = config.getString(TrainerServiceConfig.TOPIC_SAMPLE);
    this.thread = new Thread(this::run, "sample-reader");
    thread.setDaemon(true);
  }

  public synchronized void start() {
    started = true;
    thread.start();
  }

  private void run() {
    try {
      consumer.subscribe(List.of(topic));
      long backoffMs = FIRST_RETRY_MS;
      while (running) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        boolean interrupted = false;
        for (TopicPartition tp : records.partitions()) {
          for (ConsumerRecord<String, byte[]> r : records.records(tp)) {
            if (!store(r)) {
              consumer.seek(tp, r.offset()); // read it again once the registry is back
              interrupted = true;
              break;
            }
            done.put(tp, new OffsetAndMetadata(r.offset() + 1));
          }
        }
        if (!done.isEmpty()) {
          consumer.commitSync(done); // never past a sample that could not be read
        }
        if (interrupted) {
          for (long waited = 0; waited < backoffMs && running; waited += 100) {
            Thread.sleep(100); // returns soon after close()
          }
          backoffMs = Math.min(MAX_RETRY_MS, backoffMs * 2);
        } else {
          backoffMs = FIRST_RETRY_MS;
        }
      }
    } catch (WakeupException e) {
      if (running) {
        failure = e;
      }
    } catch (Throwable t) {
      failure = t;
      LOG.error("sample reader stopped", t);
    } finally {
      try {
        consumer.close();
      } catch (RuntimeException e) {
        LOG.debug("closing the sample consumer: {}", e.toString());
      }
    }
  }

  /**
   * Stores one sample, or skips it when it cannot be decoded.
   *
   * @return false when it could not be read because the schema registry is unavailable (neither
   *     stored nor skipped: the caller reads it again later)
   */
  boolean store(ConsumerRecord<String, byte[]> r) {
    RawFrame frame;
    try {
      frame = deserializer.deserialize(r.topic(), r.value());
    } catch (RuntimeException e) {
      if (RegistryUnavailableException.isCauseOf(e)) {
        deferred.incrementAndGet();
        LOG.warn(
            "cannot read sample {}-{}@{} now (the schema registry is unavailable); will read it again: {}",
            r.topic(),
            r.partition(),
            r.offset(),
            e.getMessage());
        return false;
      }
      skip(r, e);
      return true;
    }
    try {
      if (reservoir.add(
              frame.getCameraId(),
              frame.getSequence(),
              frame.getCaptureTime().toEpochMilli(),
              image(frame))
          != null) {
        stored.incrementAndGet();
      }
    } catch (RuntimeException | IOException e) {
      skip(r, e);
    }
    return true;
  }

  private void skip(ConsumerRecord<String, byte[]> r, Exception e) {
    skipped.incrementAndGet();
    skippedByReason.computeIfAbsent(reason(e), k -> new AtomicLong()).incrementAndGet();
    LOG.warn("skipping sample {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
  }

  /**
   * Why a record was skipped: the dead-letter reason of a payload the deserializer refused
   * (garbage, truncated, another schema...), else the failure's class (an image that cannot be
   * decoded or is too large).
   */
  static String reason(Exception e) {
    return e instanceof InvalidPayloadException invalid
        ? invalid.reason().name()
        : e.getClass().getSimpleName();
  }

  /** The frame's pixels as an image (raw layouts as they are, JPEG/PNG decoded). */
  static PixelImage image(RawFrame frame) throws IOException {
    ByteBuffer buf = frame.getPixels().duplicate();
    byte[] bytes = new byte[buf.remaining()];
    buf.get(bytes);
    return switch (frame.getPixelFormat()) {
      case RGB24 ->
          new PixelImage(
              frame.getWidth(), frame.getHeight(), PixelFormat.RGB24, bytes, ContainerFormat.RAW);
      case GRAY8 ->
          new PixelImage(
              frame.getWidth(), frame.getHeight(), PixelFormat.GRAY8, bytes, ContainerFormat.RAW);
      case JPEG, PNG ->
          ImageFiles.decode(bytes, "sample " + frame.getCameraId() + "/" + frame.getSequence());
    };
  }

  /** Frames stored since start. */
  public long storedCount() {
    return stored.get();
  }

  /** Reads put off since start because the schema registry was unavailable. */
  public long deferredCount() {
    return deferred.get();
  }

  /** Records skipped since start, by {@linkplain #reason reason}. */
  public Map<String, Long> skippedByReason() {
    Map<String, Long> out = new TreeMap<>();
    skippedByReason.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Records skipped since start (undecodable). */
  public long skippedCount() {
    return skipped.get();
  }

  /** Whether the thread runs (false after a fatal error: see the log). */
  public boolean isAlive() {
    return thread.isAlive() && failure == null;
  }

  @Override
  public void close() {
    running = false;
    synchronized (this) {
      if (!started) {
        started = true; // never runs now
        consumer.close();
        return;
      }
    }
    consumer.wakeup();
    if (thread.isAlive() && Thread.currentThread() != thread) {
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
