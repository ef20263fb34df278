package io.latentstream.streams.http;

import io.latentstream.schemas.LatentFrame;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.topology.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds {@link LiveStats} from the latent topic: a consumer of its own (no group, {@code
 * read_committed}, every partition) on its own daemon thread. At start it goes back up to {@code
 * backfill} records per partition so the page has a history at once; partitions added later are
 * picked up within {@link #PARTITION_REFRESH}.
 *
 * <p>Reading the committed output, rather than hooking the encoder, gives every instance the whole
 * picture: each instance encodes only its own partitions, but the live page of any of them shows
 * every camera, and the frames it links to are ones the decode mirror will hold. A record that does
 * not deserialize is skipped and counted.
 *
 * <p>Thread-safe: {@link #start()} once, {@link #close()} from any thread (idempotent). Owns its
 * consumer and thread.
 */
public final class LiveFeed implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);
  static final Duration PARTITION_REFRESH = Duration.ofSeconds(30);

  private final Map<String, Object> consumerConfig;
  private final String topic;
  private final Deserializer<LatentFrame> deserializer;
  private final LiveStats stats;
  private final int backfill;
  private final Thread thread;
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private volatile boolean running = true;
  private volatile KafkaConsumer<byte[], byte[]> consumer;

  /**
   * @param config Kafka connection settings (bootstrap servers and the pass-through security keys)
   * @param backfill records per partition read back at start
   */
  public LiveFeed(
      StreamsAppConfig config,
      Deserializer<LatentFrame> deserializer,
      LiveStats stats,
      int backfill) {
    Map<String, Object> props = Topics.readerConfig(config);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "latentstream-live-feed-" + UUID.randomUUID());
    this.consumerConfig = props;
    this.topic = config.getString(StreamsAppConfig.TOPIC_LATENT);
    this.deserializer = deserializer;
    this.stats = stats;
    this.backfill = backfill;
    this.thread = new Thread(this::run, "live-feed");
    thread.setDaemon(true);
  }

  public LiveFeed start() {
    thread.start();
    return this;
  }

  public String topic() {
    return topic;
  }

  /** Records read so far (including skipped ones). */
  public long records() {
    return records.get();
  }

  /** Records that did not deserialize as a latent frame. */
  public long skipped() {
    return skipped.get();
  }

  private void run() {
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer = c;
      Set<TopicPartition> assigned = new HashSet<>();
      long nextRefresh = 0;
      while (running) {
        try {
          if (System.nanoTime() - nextRefresh >= 0) {
            assign(c, assigned);
            nextRefresh = System.nanoTime() + PARTITION_REFRESH.toNanos();
          }
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
            records.incrementAndGet();
            handle(r);
          }
        } catch (WakeupException e) {
          if (running) {
            throw e;
          }
        } catch (RuntimeException e) {
          // the broker may be away for a while; the page shows what it has meanwhile
          LOG.warn("live feed on {}: {}", topic, e.toString());
          sleep(1000);
        }
      }
    } catch (RuntimeException e) {
      LOG.error("live feed on {} stopped", topic, e);
    } finally {
      consumer = null;
    }
  }

  private void assign(KafkaConsumer<byte[], byte[]> c, Set<TopicPartition> assigned) {
    List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
    if (infos == null || infos.isEmpty()) {
      return;
    }
    List<TopicPartition> added = new ArrayList<>();
    for (PartitionInfo p : infos) {
      TopicPartition tp = new TopicPartition(topic, p.partition());
      if (!assigned.contains(tp)) {
        added.add(tp);
      }
    }
    if (added.isEmpty()) {
      return;
    }
    boolean first = assigned.isEmpty();
    assigned.addAll(added);
    c.assign(assigned);
    if (first) {
      Map<TopicPartition, Long> begin = c.beginningOffsets(added);
      Map<TopicPartition, Long> end = c.endOffsets(added);
      for (TopicPartition tp : added) {
        c.seek(tp, Math.max(begin.get(tp), end.get(tp) - backfill));
      }
    } else {
      c.seekToBeginning(added); // a partition added while running: everything on it is new
    }
    LOG.debug("live feed reads {} partitions of {}", assigned.size(), topic);
  }

  private void handle(ConsumerRecord<byte[], byte[]> r) {
    if (r.value() == null) {
      return;
    }
    try {
      LatentFrame frame = deserializer.deserialize(r.topic(), r.value());
      if (frame != null) {
        stats.record(frame);
      }
    } catch (RuntimeException e) {
      skipped.incrementAndGet();
      LOG.debug("live feed skips {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
    }
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /** Stops the thread and closes the consumer. Idempotent. */
  @Override
  public void close() {
    running = false;
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread.isAlive() && Thread.currentThread() != thread) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
