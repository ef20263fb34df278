package io.latentstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

@RealPlatform
class TopicClientsIT {

  @Test
  void shouldReadEveryCommittedRecordPastTheExpectedCountAndNoAbortedOne(TestPlatform platform) {
    String topic = platform.uniqueName("committed");
    platform.createTopic(topic, 2);
    Map<String, Object> tx = platform.clientConfig();
    tx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, platform.uniqueName("tx-writer"));
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(tx, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      send(producer, topic, "a", "b", "c");
      producer.commitTransaction();
      producer.beginTransaction();
      send(producer, topic, "aborted-1", "aborted-2");
      producer.flush(); // in the log before the abort, so a read_uncommitted reader would see them
      producer.abortTransaction();
      producer.beginTransaction();
      send(producer, topic, "d");
      producer.commitTransaction();
    }

    // two expected, one record a poll, but the read goes on to the end offsets: extra records
    // (duplicates, say)
    // are seen
    Map<String, Object> config = platform.clientConfig();
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    List<ConsumerRecord<byte[], byte[]>> read =
        TopicClients.readCommitted(config, topic, 2, Duration.ofSeconds(30));

    assertThat(read)
        .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
        .containsExactlyInAnyOrder("a", "b", "c", "d");
  }

  @Test
  void shouldSendThroughTheIdempotentProducerWithoutChangingTheCallersConfig(
      TestPlatform platform) {
    String topic = platform.uniqueName("idempotent");
    platform.createTopic(topic, 1);
    Map<String, Object> config = platform.clientConfig();
    try (KafkaProducer<byte[], byte[]> producer = TopicClients.idempotentProducer(config)) {
      send(producer, topic, "x", "y", "z");
      producer.flush();
    }

    assertThat(config)
        .doesNotContainKey(ProducerConfig.ACKS_CONFIG); // the caller's map is left alone
    assertThat(TopicClients.readCommitted(config, topic, 3, Duration.ofSeconds(30)))
        .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
        .containsExactly("x", "y", "z");
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String... values) {
    for (String v : values) {
      producer.send(
          new ProducerRecord<>(
              topic, v.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8)));
    }
  }
}
