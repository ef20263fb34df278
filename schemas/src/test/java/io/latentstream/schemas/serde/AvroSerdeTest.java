package io.latentstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.DeadLetterReason;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.SampleRecords;
import io.latentstream.schemas.StubSchemaRegistry;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroSerdeTest {

  private static final String TOPIC = "images.raw";

  private StubSchemaRegistry registry;
  private SchemaRegistryClient client;
  private AvroSerializer<RawFrame> serializer;
  private AvroDeserializer<RawFrame> deserializer;

  @BeforeEach
  void start() throws IOException {
    registry = new StubSchemaRegistry();
    client =
        new SchemaRegistryClient(
            SchemaRegistryConfig.of(registry.url())
                .withRetries(2, Duration.ofMillis(5), Duration.ofMillis(10)));
    serializer = new AvroSerializer<>(client);
    deserializer = new AvroDeserializer<>(client, RawFrame.class);
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  static java.util.List<SpecificRecord> samples() {
    return SampleRecords.all();
  }

  @ParameterizedTest
  @MethodSource("samples")
  @SuppressWarnings({"unchecked", "rawtypes"})
  void shouldReturnEqualRecordWhenRoundTripped(SpecificRecord record) {
    AvroSerde serde = new AvroSerde(client, record.getClass());

    byte[] bytes = serde.serializer().serialize("some.topic", record);
    Object back = serde.deserializer().deserialize("some.topic", bytes);

    assertThat(back).isEqualTo(record);
  }

  @Test
  void shouldWriteHeaderWithRegisteredIdWhenSerializing() {
    byte[] bytes = serializer.serialize(TOPIC, SampleRecords.rawFrame());

    int id = client.lookup("images.raw-value", RawFrame.getClassSchema());
    assertThat(bytes[0]).isEqualTo((byte) 0);
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
  }

  @Test
  void shouldUseKeySubjectWhenConfiguredForKeys() {
    serializer.configure(Map.of(), true);

    serializer.serialize(TOPIC, SampleRecords.rawFrame());

    assertThat(registry.count("POST", "/subjects/images.raw-key/versions")).isEqualTo(1);
  }

  @Test
  void shouldPassNullThroughWhenValueIsTombstone() {
    assertThat(serializer.serialize(TOPIC, null)).isNull();
    assertThat(deserializer.deserialize(TOPIC, null)).isNull();
  }

  @Test
  void shouldTalkToRegistryOnceWhenManyRecordsAreSerializedAndRead() {
    for (int i = 0; i < 20; i++) {
      RawFrame frame = SampleRecords.rawFrame();
      frame.setSequence((long) i);
      assertThat(deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, frame)).getSequence())
          .isEqualTo(i);
    }

    assertThat(registry.count("POST", "/subjects/")).isEqualTo(1);
    // the id was learned by registering; the deserializer shares the client's cache
    assertThat(registry.count("GET", "/schemas/ids/")).isZero();
  }

  @Test
  void shouldFetchWriterSchemaOnceWhenDeserializerHasItsOwnClient() {
    byte[] bytes = serializer.serialize(TOPIC, SampleRecords.rawFrame());
    AvroDeserializer<RawFrame> other =
        new AvroDeserializer<>(
            new SchemaRegistryClient(SchemaRegistryConfig.of(registry.url())), RawFrame.class);

    for (int i = 0; i < 10; i++) {
      assertThat(other.deserialize(TOPIC, bytes)).isEqualTo(SampleRecords.rawFrame());
    }

    assertThat(registry.count("GET", "/schemas/ids/")).isEqualTo(1);
  }

  @Test
  void shouldFailClearlyWhenAutoRegisterIsOffAndSchemaIsNotRegistered() {
    AvroSerializer<RawFrame> strict = new AvroSerializer<>(client, false, false);

    assertThatThrownBy(() -> strict.serialize(TOPIC, SampleRecords.rawFrame()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not registered under subject images.raw-value")
        .hasMessageContaining("auto.register.schemas");
    assertThat(registry.count("POST", "/subjects/images.raw-value/versions")).isZero();
  }

  @Test
  void shouldUseRegisteredIdWhenAutoRegisterIsOffAndSchemaIsRegistered() {
    int id = registry.register("images.raw-value", RawFrame.getClassSchema());
    AvroSerializer<RawFrame> strict = new AvroSerializer<>(client, false, false);

    byte[] bytes = strict.serialize(TOPIC, SampleRecords.rawFrame());

    assertThat(WireFormat.readSchemaId(bytes)).isEqualTo(id);
    assertThat(deserializer.deserialize(TOPIC, bytes)).isEqualTo(SampleRecords.rawFrame());
  }

  @Test
  void shouldFillDefaultsWhenWriterIsAnOlderVersionWithoutOptionalField() throws IOException {
    Schema v0 = withoutField(RawFrame.getClassSchema(), "headers");
    int id = registry.register("images.raw-value", v0);
    GenericRecord old = new GenericData.Record(v0);
    old.put("cameraId", "cam-9");
    old.put("sequence", 7L);
    old.put("captureTime", SampleRecords.T0.toEpochMilli());
    old.put("width", 1);
    old.put("height", 1);
    old.put(
        "pixelFormat", new GenericData.EnumSymbol(v0.getField("pixelFormat").schema(), "GRAY8"));
    old.put("pixels", ByteBuffer.wrap(new byte[] {5}));

    RawFrame frame = deserializer.deserialize(TOPIC, payload(id, v0, old));

    assertThat(frame.getCameraId()).isEqualTo("cam-9");
    assertThat(frame.getCaptureTime()).isEqualTo(SampleRecords.T0);
    assertThat(frame.getHeaders()).isNull();
  }

  @Test
  void shouldWriteWithLatestVersionWhenUseLatestVersionIsOn() {
    Schema v0 = withoutField(RawFrame.getClassSchema(), "headers");
    int latestId = registry.register("images.raw-value", v0);
    AvroSerializer<RawFrame> latest = new AvroSerializer<>(client, false, true);

    byte[] bytes = latest.serialize(TOPIC, SampleRecords.rawFrame());

    assertThat(WireFormat.readSchemaId(bytes)).isEqualTo(latestId);
    RawFrame back = deserializer.deserialize(TOPIC, bytes);
    assertThat(back.getSequence()).isEqualTo(42L);
    assertThat(back.getHeaders()).as("dropped: the latest version has no headers").isNull();
  }

  @Test
  void shouldRaiseUnknownMagicByteWhenValueIsEmptyOrNotWireFormat() {
    assertReason(
        new byte[0], UnknownMagicByteException.class, DeadLetterReason.UNDECODABLE_PAYLOAD);
    assertReason(
        "{\"cameraId\":\"x\"}".getBytes(),
        UnknownMagicByteException.class,
        DeadLetterReason.UNDECODABLE_PAYLOAD);
  }

  @Test
  void shouldRaiseTruncatedWhenHeaderIsShortOrDataIsCut() {
    byte[] full = serializer.serialize(TOPIC, SampleRecords.rawFrame());

    assertReason(
        new byte[] {0, 0, 0}, TruncatedPayloadException.class, DeadLetterReason.TRUNCATED_PAYLOAD);
    assertReason(
        Arrays.copyOf(full, 5),
        TruncatedPayloadException.class,
        DeadLetterReason.TRUNCATED_PAYLOAD);
    assertReason(
        Arrays.copyOf(full, full.length - 3),
        TruncatedPayloadException.class,
        DeadLetterReason.TRUNCATED_PAYLOAD);
  }

  @Test
  void shouldRaiseTruncatedWithoutAllocatingWhenDeclaredLengthIsHuge() {
    int id = registry.register("images.raw-value", RawFrame.getClassSchema());
    // cameraId declares ~1 GiB (zig-zag varint of 2^30)
    byte[] bytes =
        concat(header(id), new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08});

    assertReason(bytes, TruncatedPayloadException.class, DeadLetterReason.TRUNCATED_PAYLOAD);
  }

  @Test
  void
      shouldRaiseMalformedQuicklyWhenAWriterOnlyCollectionDeclaresMoreItemsThanThePayloadHasBytes() {
    // a compatible writer schema with one more field than the reader: an array or a map whose items
    // take no bytes,
    // skipped item by item by the resolving decoder
    for (Schema items :
        java.util.List.of(
            Schema.create(Schema.Type.NULL),
            Schema.createRecord("Empty", null, "x", false, java.util.List.of()))) {
      for (boolean map : new boolean[] {false, true}) {
        Schema extra = map ? Schema.createMap(items) : Schema.createArray(items);
        Schema writer = withExtraField(RawFrame.getClassSchema(), "extra", extra);
        int id = registry.register("images.raw-value", writer);
        byte[] valid = serializer.serialize(TOPIC, SampleRecords.rawFrame());
        byte[] record = Arrays.copyOfRange(valid, WireFormat.HEADER_SIZE, valid.length);
        // one block of 2^62 items (of keys "" for a map), then the end of the collection
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        writeVarint(tail, 1L << 62);
        if (map) {
          tail.write(0);
        }
        tail.write(0);
        byte[] bytes = concat(concat(header(id), record), tail.toByteArray());

        assertTimeoutPreemptively(
            Duration.ofSeconds(10),
            () ->
                assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bytes))
                    .isInstanceOf(InvalidPayloadException.class),
            extra.toString());
      }
    }
  }

  @Test
  void shouldSkipWriterOnlyCollectionsOfEmptyItemsWithinThePayloadsSize() throws IOException {
    Schema writer =
        withExtraField(
            RawFrame.getClassSchema(),
            "extra",
            Schema.createArray(Schema.create(Schema.Type.NULL)));
    int id = registry.register("images.raw-value", writer);
    byte[] valid = serializer.serialize(TOPIC, SampleRecords.rawFrame());
    ByteArrayOutputStream tail = new ByteArrayOutputStream();
    writeVarint(tail, 3);
    tail.write(0);

    RawFrame back =
        deserializer.deserialize(
            TOPIC,
            concat(
                concat(header(id), Arrays.copyOfRange(valid, WireFormat.HEADER_SIZE, valid.length)),
                tail.toByteArray()));

    assertThat(back).isEqualTo(SampleRecords.rawFrame());
  }

  @Test
  void shouldRaiseUnknownSchemaIdWhenRegistryDoesNotKnowTheId() {
    byte[] bytes = serializer.serialize(TOPIC, SampleRecords.rawFrame());
    ByteBuffer.wrap(bytes).putInt(1, 4711);

    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bytes))
        .isInstanceOfSatisfying(
            UnknownSchemaIdException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(DeadLetterReason.UNKNOWN_SCHEMA_ID);
              assertThat(e.schemaId()).isEqualTo(4711);
            });
  }

  @Test
  void shouldRaiseSchemaMismatchWhenPayloadIsOfAnotherSchema() {
    byte[] deadLetter =
        new AvroSerializer<DeadLetter>(client).serialize("images.dlq", SampleRecords.deadLetter());

    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, deadLetter))
        .isInstanceOfSatisfying(
            SchemaMismatchException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(DeadLetterReason.SCHEMA_MISMATCH);
              assertThat(e.writerSchemaName()).isEqualTo("io.latentstream.schemas.DeadLetter");
              assertThat(e.readerSchemaName()).isEqualTo("io.latentstream.schemas.RawFrame");
            });
  }

  @Test
  void shouldRaiseMalformedWhenAvroDataIsGarbage() {
    int id = registry.register("images.raw-value", RawFrame.getClassSchema());

    // negative string length (zig-zag 0x01 = -1)
    assertReason(
        concat(header(id), new byte[] {0x01}),
        MalformedPayloadException.class,
        DeadLetterReason.MALFORMED_PAYLOAD);
    // a valid record followed by trailing bytes
    byte[] valid = serializer.serialize(TOPIC, SampleRecords.rawFrame());
    assertReason(
        concat(valid, new byte[] {1, 2, 3}),
        MalformedPayloadException.class,
        DeadLetterReason.MALFORMED_PAYLOAD);
  }

  @Test
  void shouldRaiseMalformedWhenEnumIndexIsOutOfRange() throws IOException {
    RawFrame frame = SampleRecords.rawFrame();
    byte[] valid = serializer.serialize(TOPIC, frame);
    // the pixel format enum index follows cameraId, sequence, captureTime, width and height
    int offset =
        WireFormat.HEADER_SIZE
            + 1
            + "cam-1".length()
            + varintLength(42L)
            + varintLength(SampleRecords.T0.toEpochMilli())
            + varintLength(4)
            + varintLength(3);
    byte[] corrupt = valid.clone();
    corrupt[offset] = 0x7e; // index 63: there are 4 symbols

    assertReason(corrupt, MalformedPayloadException.class, DeadLetterReason.MALFORMED_PAYLOAD);
  }

  @Test
  void shouldRaiseOnlyInvalidPayloadExceptionsWhenBytesAreRandom() {
    int id = registry.register("images.raw-value", RawFrame.getClassSchema());
    Random random = new Random(7);
    for (int i = 0; i < 2_000; i++) {
      byte[] body = new byte[random.nextInt(64)];
      random.nextBytes(body);
      byte[] bytes = concat(header(id), body);
      try {
        deserializer.deserialize(TOPIC, bytes);
      } catch (InvalidPayloadException expected) {
        assertThat(expected.reason()).isNotNull();
      }
    }
  }

  @Test
  void shouldReportRegistryOutageAsPlainSerializationExceptionWhenRegistryIsDown() {
    byte[] bytes = serializer.serialize(TOPIC, SampleRecords.rawFrame());
    AvroDeserializer<RawFrame> other =
        new AvroDeserializer<>(
            new SchemaRegistryClient(
                SchemaRegistryConfig.of(registry.url())
                    .withRetries(2, Duration.ofMillis(1), Duration.ofMillis(1))),
            RawFrame.class);
    registry.failNext(503, 2);

    assertThatThrownBy(() -> other.deserialize(TOPIC, bytes))
        .isInstanceOf(SerializationException.class)
        .isNotInstanceOf(InvalidPayloadException.class);
  }

  @Test
  void shouldConfigureFromKafkaMapWhenInstantiatedReflectively() {
    Map<String, Object> configs = new HashMap<>();
    configs.put("schema.registry.url", registry.url());
    configs.put("basic.auth.credentials.source", "USER_INFO");
    configs.put("basic.auth.user.info", "bob:pw");
    configs.put("specific.avro.value.type", RawFrame.class.getName());
    configs.put("bootstrap.servers", "ignored:9092");
    AvroSerializer<RawFrame> configuredSerializer = new AvroSerializer<>();
    configuredSerializer.configure(configs, false);
    AvroDeserializer<RawFrame> configuredDeserializer = new AvroDeserializer<>();
    configuredDeserializer.configure(configs, false);

    byte[] bytes = configuredSerializer.serialize(TOPIC, SampleRecords.rawFrame());

    assertThat(configuredDeserializer.deserialize(TOPIC, bytes))
        .isEqualTo(SampleRecords.rawFrame());
    assertThat(registry.requests())
        .extracting(StubSchemaRegistry.Request::authorization)
        .allMatch(a -> a != null && a.startsWith("Basic "));
  }

  @Test
  void shouldUseKeySubjectAndKeyTypeWhenReflectiveSerdeIsConfiguredForKeys() {
    try (AvroSerde<RawFrame> serde = new AvroSerde<>()) {
      serde.configure(
          Map.of(
              "schema.registry.url",
              registry.url(),
              "specific.avro.key.type",
              RawFrame.class.getName()),
          true);

      byte[] bytes = serde.serializer().serialize(TOPIC, SampleRecords.rawFrame());

      assertThat(serde.deserializer().deserialize(TOPIC, bytes))
          .isEqualTo(SampleRecords.rawFrame());
      assertThat(registry.count("POST", "/subjects/images.raw-key/versions")).isEqualTo(1);
    }
  }

  @Test
  void shouldRejectConfigurationWhenDeserializerTypeIsMissing() {
    AvroDeserializer<RawFrame> unconfigured = new AvroDeserializer<>();

    assertThatThrownBy(
            () -> unconfigured.configure(Map.of("schema.registry.url", registry.url()), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("specific.avro.value.type");
  }

  private void assertReason(
      byte[] bytes, Class<? extends InvalidPayloadException> type, DeadLetterReason reason) {
    assertThatThrownBy(() -> deserializer.deserialize(TOPIC, bytes))
        .isInstanceOf(type)
        .isInstanceOf(SerializationException.class)
        .satisfies(e -> assertThat(((InvalidPayloadException) e).reason()).isEqualTo(reason));
  }

  private static Schema withoutField(Schema schema, String dropped) {
    java.util.List<Schema.Field> fields = new java.util.ArrayList<>();
    for (Schema.Field field : schema.getFields()) {
      if (!field.name().equals(dropped)) {
        fields.add(new Schema.Field(field, field.schema()));
      }
    }
    return Schema.createRecord(
        schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }

  private static Schema withExtraField(Schema schema, String name, Schema type) {
    java.util.List<Schema.Field> fields = new java.util.ArrayList<>();
    for (Schema.Field field : schema.getFields()) {
      fields.add(new Schema.Field(field, field.schema()));
    }
    fields.add(new Schema.Field(name, type, null, (Object) null));
    return Schema.createRecord(
        schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }

  /** An Avro long: zig-zag, then LEB128. */
  private static void writeVarint(ByteArrayOutputStream out, long value) {
    long v = (value << 1) ^ (value >> 63);
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static byte[] payload(int id, Schema schema, GenericRecord record) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WireFormat.writeHeader(out, id);
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  private static byte[] header(int id) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WireFormat.writeHeader(out, id);
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] result = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, result, a.length, b.length);
    return result;
  }

  private static int varintLength(long value) {
    long zigzag = (value << 1) ^ (value >> 63);
    int length = 1;
    while ((zigzag & ~0x7FL) != 0) {
      zigzag >>>= 7;
      length++;
    }
    return length;
  }
}
