package io.latentstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.schemas.serde.AvroSerializer;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Acceptance test of the wire format: what our serializer puts on the real broker is exactly
 * Confluent's format, as checked with nothing of ours (plain consumer, plain HTTP to the registry,
 * plain Avro).
 */
@RealPlatform
class WireCompatibilityIT {

  /**
   * The real topic name, so the subject is exactly {@code images.raw-value}; no other test uses it.
   */
  private static final String TOPIC = "images.raw";

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void shouldProduceConfluentWireFormatWhenRawFrameIsSerializedToBroker(TestPlatform platform)
      throws Exception {
    TestTopics.create(platform, TOPIC, 1);
    RawFrame frame = SampleRecords.rawFrame();
    Map<String, Object> producerConfig = platform.clientConfig();
    producerConfig.put(
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    producerConfig.put(
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroSerializer.class.getName());
    producerConfig.put("schema.registry.url", platform.registryUrl());
    try (KafkaProducer<String, RawFrame> producer = new KafkaProducer<>(producerConfig)) {
      producer.send(new ProducerRecord<>(TOPIC, frame.getCameraId(), frame)).get();
    }

    byte[] value;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            platform.clientConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<ConsumerRecord<byte[], byte[]>> records = TestTopics.readAll(consumer, TOPIC, 1);
      assertThat(records).hasSize(1);
      value = records.get(0).value();
    }

    JsonNode latest =
        getJson(platform.registryUrl() + "/subjects/images.raw-value/versions/latest");
    int registeredId = latest.get("id").asInt();
    assertThat(value[0]).as("magic byte").isEqualTo((byte) 0);
    assertThat(ByteBuffer.wrap(value, 1, 4).getInt()).as("schema id").isEqualTo(registeredId);

    Schema writerSchema =
        new Schema.Parser()
            .parse(
                getJson(platform.registryUrl() + "/schemas/ids/" + registeredId)
                    .get("schema")
                    .asText());
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null);
    GenericRecord decoded = new GenericDatumReader<GenericRecord>(writerSchema).read(null, decoder);
    assertThat(decoder.isEnd()).as("no trailing bytes").isTrue();

    assertThat(decoded.get("cameraId")).hasToString("cam-1");
    assertThat(decoded.get("sequence")).isEqualTo(42L);
    assertThat(decoded.get("captureTime")).isEqualTo(SampleRecords.T0.toEpochMilli());
    assertThat(decoded.get("width")).isEqualTo(4);
    assertThat(decoded.get("height")).isEqualTo(3);
    assertThat(decoded.get("pixelFormat"))
        .isInstanceOf(GenericData.EnumSymbol.class)
        .hasToString("RGB24");
    assertThat(decoded.get("pixels")).isEqualTo(SampleRecords.rawFrame().getPixels());
    assertThat(((Map<?, ?>) decoded.get("headers")).entrySet())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getKey()).hasToString("exposure");
              assertThat(e.getValue()).hasToString("1/250");
            });
  }

  private JsonNode getJson(String url) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Accept", "application/vnd.schemaregistry.v1+json")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET " + url + ": " + response.body()).isEqualTo(200);
    return json.readTree(response.body());
  }
}
