package io.latentstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SchemaContractTest {

  static List<Schema> recordSchemas() {
    return List.of(
        RawFrame.getClassSchema(),
        LatentFrame.getClassSchema(),
        DeadLetter.getClassSchema(),
        ModelRelease.getClassSchema(),
        DecodeRequest.getClassSchema(),
        DecodedFrame.getClassSchema());
  }

  @ParameterizedTest
  @MethodSource("recordSchemas")
  void shouldDocumentEveryNamedTypeAndFieldWhenGenerated(Schema schema) {
    List<String> undocumented = new ArrayList<>();
    collectUndocumented(schema, new HashSet<>(), undocumented);
    assertThat(undocumented).isEmpty();
    assertThat(schema.getNamespace()).isEqualTo("io.latentstream.schemas");
  }

  @ParameterizedTest
  @MethodSource("recordSchemas")
  void shouldDefaultEveryOptionalFieldToNullWhenFieldIsNullableUnion(Schema schema) {
    for (Schema.Field field : schema.getFields()) {
      if (field.schema().isNullable()) {
        assertThat(field.hasDefaultValue()).as(field.name()).isTrue();
        assertThat(field.schema().getTypes().get(0).getType())
            .as(field.name())
            .isEqualTo(Schema.Type.NULL);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("recordSchemas")
  void shouldCarryATimestampMillisMappedToInstantWhenRecordIsGenerated(Schema schema)
      throws Exception {
    List<String> timestamps = new ArrayList<>();
    for (Schema.Field field : schema.getFields()) {
      if (field.schema().getLogicalType() instanceof LogicalTypes.TimestampMillis) {
        timestamps.add(field.name());
        Class<?> type =
            Class.forName(schema.getFullName())
                .getMethod(
                    "get"
                        + Character.toUpperCase(field.name().charAt(0))
                        + field.name().substring(1))
                .getReturnType();
        assertThat(type).as(field.name()).isEqualTo(Instant.class);
      }
    }
    assertThat(timestamps).as(schema.getName()).isNotEmpty();
  }

  @Test
  void shouldCoverEveryRequiredFailureWhenDeadLetterReasonIsRead() {
    Schema reason = DeadLetterReason.getClassSchema();
    assertThat(reason.getEnumSymbols())
        .contains(
            "UNKNOWN",
            "UNDECODABLE_PAYLOAD",
            "TRUNCATED_PAYLOAD",
            "UNKNOWN_SCHEMA_ID",
            "SCHEMA_MISMATCH",
            "MALFORMED_PAYLOAD",
            "ZERO_DIMENSIONS",
            "OVERSIZED_FRAME",
            "BYTE_COUNT_MISMATCH",
            "CORRUPT_IMAGE",
            "MODEL_FAILURE");
    assertThat(reason.getEnumDefault()).isEqualTo("UNKNOWN");
  }

  @Test
  void shouldDefaultGrowingEnumsToUnknownWhenReaderMeetsNewSymbol() {
    assertThat(ModelStatus.getClassSchema().getEnumSymbols())
        .contains("CANDIDATE", "PROMOTED", "REJECTED", "ROLLED_BACK");
    assertThat(ModelStatus.getClassSchema().getEnumDefault()).isEqualTo("UNKNOWN");
    assertThat(DecodeStatus.getClassSchema().getEnumDefault()).isEqualTo("UNKNOWN");
  }

  @Test
  void shouldOfferChunksOrUriWhenModelReleaseLocationIsRead() {
    Schema location = ModelRelease.getClassSchema().getField("location").schema();
    assertThat(location.getTypes())
        .extracting(Schema::getName)
        .containsExactly("ArtifactChunks", "ArtifactUri");
  }

  @Test
  void shouldBuildEverySampleWhenAllRequiredFieldsAreSet() {
    List<SpecificRecord> all = SampleRecords.all();
    assertThat(all)
        .extracting(r -> r.getSchema().getName())
        .containsExactly(
            "RawFrame",
            "LatentFrame",
            "DeadLetter",
            "ModelRelease",
            "DecodeRequest",
            "DecodedFrame");
  }

  private static void collectUndocumented(Schema schema, Set<String> seen, List<String> out) {
    switch (schema.getType()) {
      case RECORD -> {
        if (!seen.add(schema.getFullName())) {
          return;
        }
        if (isBlank(schema.getDoc())) {
          out.add(schema.getFullName());
        }
        for (Schema.Field field : schema.getFields()) {
          if (isBlank(field.doc())) {
            out.add(schema.getFullName() + "." + field.name());
          }
          collectUndocumented(field.schema(), seen, out);
        }
      }
      case ENUM, FIXED -> {
        if (seen.add(schema.getFullName()) && isBlank(schema.getDoc())) {
          out.add(schema.getFullName());
        }
      }
      case UNION -> schema.getTypes().forEach(t -> collectUndocumented(t, seen, out));
      case ARRAY -> collectUndocumented(schema.getElementType(), seen, out);
      case MAP -> collectUndocumented(schema.getValueType(), seen, out);
      default -> {}
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
