package io.latentstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.SampleRecords;
import io.latentstream.schemas.serde.AvroSerializer;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Our client against the real registry (Apicurio's Confluent-compatible API). */
@RealPlatform
class SchemaRegistryClientIT {

  private static SchemaRegistryClient client;

  @BeforeAll
  static void connect(TestPlatform platform) {
    client = new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl()));
  }

  static List<Schema> ourSchemas() {
    return SampleRecords.all().stream().map(SpecificRecord::getSchema).toList();
  }

  @ParameterizedTest
  @MethodSource("ourSchemas")
  void shouldRegisterAndFetchBackWhenSchemaIsOneOfOurs(Schema schema, TestPlatform platform) {
    String subject = platform.uniqueName(schema.getName()) + "-value";

    int id = client.register(subject, schema);

    SchemaRegistryClient fresh =
        new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl()));
    assertThat(fresh.getById(id)).isEqualTo(schema);
    assertThat(fresh.lookup(subject, schema)).isEqualTo(id);
    assertThat(fresh.register(subject, schema)).as("registering again is idempotent").isEqualTo(id);
    RegisteredSchema latest = fresh.getLatest(subject);
    assertThat(latest.id()).isEqualTo(id);
    assertThat(latest.version()).isEqualTo(1);
    assertThat(latest.schema()).isEqualTo(schema);
    assertThat(fresh.subjects()).contains(subject);
  }

  @Test
  void shouldRejectNewRequiredFieldWhenSubjectIsBackwardCompatible(TestPlatform platform) {
    String subject = platform.uniqueName("thing") + "-value";
    Schema v1 = ThingSchemas.v1();
    Schema withDefault = ThingSchemas.withDefault();
    Schema withoutDefault = ThingSchemas.withoutDefault();
    client.register(subject, v1);
    client.setCompatibility(subject, CompatibilityLevel.BACKWARD);

    assertThat(client.getCompatibility(subject)).contains(CompatibilityLevel.BACKWARD);
    assertThat(client.testCompatibility(subject, withoutDefault)).isFalse();
    assertThat(client.testCompatibility(subject, withDefault)).isTrue();
    assertThatThrownBy(() -> client.register(subject, withoutDefault))
        .isInstanceOfSatisfying(
            IncompatibleSchemaException.class, e -> assertThat(e.httpStatus()).isEqualTo(409));
    assertThat(client.register(subject, withDefault)).isPositive();
    assertThat(client.getLatest(subject).version()).isEqualTo(2);
  }

  @Test
  void shouldThrowSchemaNotFoundWhenIdIsUnknown() {
    assertThatThrownBy(() -> client.getById(987_654_321))
        .isInstanceOfSatisfying(
            SchemaNotFoundException.class, e -> assertThat(e.httpStatus()).isEqualTo(404));
  }

  @Test
  void shouldThrowSubjectNotFoundWhenSubjectIsUnknown(TestPlatform platform) {
    String subject = platform.uniqueName("missing") + "-value";

    assertThatThrownBy(() -> client.getLatest(subject))
        .isInstanceOf(SubjectNotFoundException.class);
    assertThatThrownBy(() -> client.lookup(subject, RawFrame.getClassSchema()))
        .isInstanceOf(SubjectNotFoundException.class);
  }

  @Test
  void shouldThrowSchemaNotFoundWhenSubjectExistsWithoutThatSchema(TestPlatform platform) {
    String subject = platform.uniqueName("images.raw") + "-value";
    client.register(subject, RawFrame.getClassSchema());

    assertThatThrownBy(() -> client.lookup(subject, DeadLetter.getClassSchema()))
        .isInstanceOf(SchemaNotFoundException.class);
  }

  @Test
  void shouldFailClearlyWhenAutoRegisterIsOffAndSchemaIsUnregistered(TestPlatform platform) {
    String topic = platform.uniqueName("images.raw");
    AvroSerializer<RawFrame> strict = new AvroSerializer<>(client, false, false);

    assertThatThrownBy(() -> strict.serialize(topic, SampleRecords.rawFrame()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not registered under subject " + topic + "-value");

    client.register(topic + "-value", RawFrame.getClassSchema());
    assertThat(strict.serialize(topic, SampleRecords.rawFrame())).startsWith(0);
  }
}
