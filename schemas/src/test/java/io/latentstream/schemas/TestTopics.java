package io.latentstream.schemas;

import static org.awaitility.Awaitility.await;

import io.latentstream.testkit.TestPlatform;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creating and reading whole topics in integration tests. */
public final class TestTopics {

  private TestTopics() {}

  /**
   * Creates the topic. Tolerates the testkit's leader wait failing with "unknown topic" right after
   * a successful create (metadata not propagated yet): clients wait for the metadata themselves.
   */
  public static void create(TestPlatform platform, String name, int partitions) {
    try {
      platform.createTopic(name, partitions);
    } catch (IllegalStateException e) {
      if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
        throw e;
      }
    }
  }

  /**
   * Assigns every partition of {@code topic} and polls until {@code expected} records have arrived.
   */
  public static <K, V> List<ConsumerRecord<K, V>> readAll(
      Consumer<K, V> consumer, String topic, int expected) {
    AtomicReference<List<PartitionInfo>> infos = new AtomicReference<>(List.of());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              infos.set(consumer.partitionsFor(topic, Duration.ofSeconds(5)));
              return !infos.get().isEmpty();
            });
    List<TopicPartition> partitions =
        infos.get().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    List<ConsumerRecord<K, V>> records = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              consumer.poll(Duration.ofMillis(200)).forEach(records::add);
              return records.size() >= expected;
            });
    return records;
  }
}
