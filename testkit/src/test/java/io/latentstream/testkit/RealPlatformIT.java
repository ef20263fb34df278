package io.latentstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@RealPlatform
class RealPlatformIT {

  @BeforeAll
  static void recordPlatform(TestPlatform platform) {
    PlatformSightings.SEEN.add(platform);
  }

  @Test
  void shouldSeeOnlyCommittedRecordsWhenConsumerReadsCommitted(TestPlatform platform) {
    String topic = platform.uniqueName("tx");
    platform.createTopic(topic, 3);

    Map<String, Object> producerConfig = platform.clientConfig();
    producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, platform.uniqueName("tx-producer"));
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "cam-1", "aborted"));
      producer.abortTransaction();
      producer.beginTransaction();
      for (int i = 0; i < 3; i++) {
        producer.send(new ProducerRecord<>(topic, "cam-" + i, "committed-" + i));
      }
      producer.commitTransaction();
    }

    Map<String, Object> consumerConfig = platform.clientConfig();
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, platform.uniqueName("tx-reader"));
    consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                return values.size() >= 3;
              });
      // One more poll: an aborted record would come with or before the committed ones, never later.
      consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
    }
    assertThat(values).containsExactlyInAnyOrder("committed-0", "committed-1", "committed-2");
  }

  @Test
  void shouldCarryEightMebibyteFrameWhenClientUsesClientConfig(TestPlatform platform) {
    String topic = platform.uniqueName("big");
    platform.createTopic(topic, 1);
    byte[] frame = new byte[8 * 1024 * 1024];
    frame[frame.length - 1] = 42;

    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            platform.clientConfig(), new ByteArraySerializer(), new ByteArraySerializer())) {
      RecordMetadata sent =
          Awaitility.await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> producer.send(new ProducerRecord<>(topic, frame)).get(), m -> m != null);
      assertThat(sent.offset()).isZero();
    }

    Map<String, Object> consumerConfig = platform.clientConfig();
    consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, platform.uniqueName("big-reader"));
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return !records.isEmpty();
              });
    }
    assertThat(records.get(0).value()).hasSize(frame.length).endsWith(42);
  }

  @Test
  void shouldAnswerSubjectsWhenRegistryIsUp(TestPlatform platform) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(platform.registryUrl() + "/subjects"))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).startsWith("[");
  }

  @Test
  void shouldShareOnePlatformWhenSeveralClassesRun(TestPlatform platform) {
    assertThat(PlatformSightings.SEEN).containsOnly(platform);
    assertThat(platform.bootstrapServers()).matches("(localhost|127\\.0\\.0\\.1):\\d+");
    assertThat(platform.registryUrl()).matches("http://127\\.0\\.0\\.1:\\d+/apis/ccompat/v7");
  }

  @Test
  void shouldReturnDistinctNamesWhenCalledTwiceWithOnePrefix(TestPlatform platform) {
    assertThat(platform.uniqueName("images.raw"))
        .startsWith("images.raw")
        .isNotEqualTo(platform.uniqueName("images.raw"));
  }
}
