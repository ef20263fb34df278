package io.latentstream.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The plain byte-array clients tests use to feed a pipeline and read back what it committed. {@code
 * config} is any client configuration with {@code bootstrap.servers}, e.g. {@link
 * TestPlatform#clientConfig()} or a map that points at a broker in a container; it is copied, never
 * changed.
 */
public final class TopicClients {

  private TopicClients() {}

  /**
   * A producer with {@code acks=all} and idempotence: what it sends is written once, in order per
   * partition.
   */
  public static KafkaProducer<byte[], byte[]> idempotentProducer(Map<String, Object> config) {
    Map<String, Object> p = new HashMap<>(config);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * A read_committed consumer without a group offset commit, assigned every partition of {@code
   * topic} and positioned at their beginning: it sees exactly the records of committed
   * transactions, from the first.
   */
  public static KafkaConsumer<byte[], byte[]> committedFromStart(
      Map<String, Object> config, String topic) {
    Map<String, Object> c = new HashMap<>(config);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    try {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      return consumer;
    } catch (RuntimeException e) {
      consumer.close();
      throw e;
    }
  }

  /**
   * Reads {@code topic} from the beginning with read_committed until {@code expected} records
   * arrived or {@code timeout} passed, then keeps reading up to the end offsets (for at most 10 s
   * more) so that extra records, duplicates included, are seen too. Returns what it read, fewer
   * records than expected on timeout: the caller asserts the count.
   */
  public static List<ConsumerRecord<byte[], byte[]>> readCommitted(
      Map<String, Object> config, String topic, int expected, Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = committedFromStart(config, topic)) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
      long tail = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
          && System.nanoTime() < tail) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
