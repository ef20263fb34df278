package io.latentstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.DeadLetterReason;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.SampleRecords;
import io.latentstream.schemas.TestTopics;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every record type through serializer → real broker → deserializer, with the real registry. */
@RealPlatform
class AvroSerdeIT {

  private static SchemaRegistryClient client;

  @BeforeAll
  static void connect(TestPlatform platform) {
    client = new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl()));
  }

  static List<SpecificRecord> samples() {
    return SampleRecords.all();
  }

  @ParameterizedTest
  @MethodSource("samples")
  @SuppressWarnings({"unchecked", "rawtypes"})
  void shouldReadBackEqualRecordWhenSentThroughBroker(
      SpecificRecord record, TestPlatform platform) {
    String topic = platform.uniqueName(record.getSchema().getName());
    TestTopics.create(platform, topic, 1);
    try (KafkaProducer<String, SpecificRecord> producer = producer(platform)) {
      producer.send(new ProducerRecord<>(topic, "k", record));
      producer.send(new ProducerRecord<>(topic, "tombstone", null));
      producer.flush();
    }

    // the consumer side configured the way Kafka users do: class names and keys in the config map
    Map<String, Object> consumerConfig = platform.clientConfig();
    consumerConfig.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    consumerConfig.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroDeserializer.class.getName());
    consumerConfig.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, platform.registryUrl());
    consumerConfig.put(AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE, record.getClass().getName());
    try (KafkaConsumer<String, Object> consumer = new KafkaConsumer<>(consumerConfig)) {
      List<ConsumerRecord<String, Object>> records =
          TestTopics.readAll((KafkaConsumer) consumer, topic, 2);

      assertThat(records).extracting(ConsumerRecord::value).containsExactly(record, null);
    }
  }

  @Test
  void shouldRaiseSchemaMismatchWhenDeadLetterBytesAreReadAsRawFrame(TestPlatform platform) {
    String topic = platform.uniqueName("images.raw");
    TestTopics.create(platform, topic, 1);
    try (KafkaProducer<String, DeadLetter> producer = producer(platform)) {
      producer.send(new ProducerRecord<>(topic, "k", SampleRecords.deadLetter()));
      producer.flush();
    }

    try (KafkaConsumer<String, RawFrame> consumer = rawFrameConsumer(platform)) {
      assertThatThrownBy(() -> TestTopics.readAll(consumer, topic, 1))
          .isInstanceOfSatisfying(
              RecordDeserializationException.class,
              e -> {
                assertThat(e.offset()).isZero();
                assertThat(e.getCause())
                    .isInstanceOfSatisfying(
                        SchemaMismatchException.class,
                        cause -> {
                          assertThat(cause.reason()).isEqualTo(DeadLetterReason.SCHEMA_MISMATCH);
                          assertThat(cause.writerSchemaName())
                              .isEqualTo(DeadLetter.getClassSchema().getFullName());
                        });
              });
    }
  }

  @Test
  void shouldDeserializeEveryRecordWhenManyAreSentOnThreePartitions(TestPlatform platform) {
    String topic = platform.uniqueName("images.raw");
    TestTopics.create(platform, topic, 3);
    int count = 200;
    try (KafkaProducer<String, RawFrame> producer = producer(platform)) {
      for (int i = 0; i < count; i++) {
        RawFrame frame = SampleRecords.rawFrame();
        frame.setCameraId("cam-" + (i % 7));
        frame.setSequence((long) i);
        producer.send(new ProducerRecord<>(topic, frame.getCameraId(), frame));
      }
      producer.flush();
    }

    try (KafkaConsumer<String, RawFrame> consumer = rawFrameConsumer(platform)) {
      List<ConsumerRecord<String, RawFrame>> records = TestTopics.readAll(consumer, topic, count);

      assertThat(records)
          .extracting(r -> r.value().getSequence())
          .containsExactlyInAnyOrderElementsOf(
              java.util.stream.LongStream.range(0, count).boxed().toList());
      assertThat(records).allSatisfy(r -> assertThat(r.value().getCameraId()).isEqualTo(r.key()));
    }
  }

  /** A producer of string keys and Avro values registered through the shared client. */
  private static <T extends SpecificRecord> KafkaProducer<String, T> producer(
      TestPlatform platform) {
    return new KafkaProducer<>(
        platform.clientConfig(), new StringSerializer(), new AvroSerializer<>(client));
  }

  /** A consumer of string keys and RawFrame values. */
  private static KafkaConsumer<String, RawFrame> rawFrameConsumer(TestPlatform platform) {
    return new KafkaConsumer<>(
        platform.clientConfig(),
        new StringDeserializer(),
        new AvroDeserializer<>(client, RawFrame.class));
  }
}
