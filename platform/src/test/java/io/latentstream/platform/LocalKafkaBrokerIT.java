package io.latentstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaBrokerIT {

  @TempDir Path dataDir;

  @Test
  void shouldKeepTopicAndRecordsWhenRestartedOnSameDataDir() throws Exception {
    int port = LoopbackPorts.findFree();
    int controllerPort = LoopbackPorts.findFree();

    try (LocalKafkaBroker broker = start(port, controllerPort)) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        admin
            .createTopics(List.of(new NewTopic("images.raw", 2, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(
              Map.of("bootstrap.servers", broker.bootstrapServers()),
              new StringSerializer(),
              new StringSerializer())) {
        producer
            .send(new ProducerRecord<>("images.raw", "cam-1", "frame-1"))
            .get(30, TimeUnit.SECONDS);
      }
      assertThat(consumeOne(broker, "first").value()).isEqualTo("frame-1");

      LocalKafkaBroker.Builder second =
          LocalKafkaBroker.builder()
              .setDataDir(dataDir.resolve("second"))
              .optPort(port)
              .optControllerPort(LoopbackPorts.findFree());
      assertThatThrownBy(second::start)
          .isInstanceOf(PortInUseException.class)
          .hasMessageContaining("port " + port + " (Kafka broker) is already in use on 127.0.0.1");
      assertThat(broker.process().isAlive()).isTrue();
    }
    assertThat(dataDir.resolve("kafka/kafka-broker.log"))
        .content()
        .contains("Kafka Server started");

    try (LocalKafkaBroker broker = start(port, controllerPort)) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("images.raw");
      }
      assertThat(consumeOne(broker, "second").value()).isEqualTo("frame-1");
    }
  }

  private LocalKafkaBroker start(int port, int controllerPort) throws InterruptedException {
    return LocalKafkaBroker.builder()
        .setDataDir(dataDir.resolve("kafka"))
        .optPort(port)
        .optControllerPort(controllerPort)
        .start();
  }

  private static ConsumerRecord<String, String> consumeOne(LocalKafkaBroker broker, String group) {
    Map<String, Object> config =
        Map.of(
            "bootstrap.servers",
            broker.bootstrapServers(),
            "group.id",
            group,
            "auto.offset.reset",
            "earliest");
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of("images.raw"));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return !records.isEmpty();
              });
    }
    return records.get(0);
  }
}
