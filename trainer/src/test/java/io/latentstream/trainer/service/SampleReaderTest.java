package io.latentstream.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.registry.RegistryUnavailableException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sample that cannot be read because the schema registry is down is not skipped (and so not
 * committed past): it is read again once the registry is back; a malformed one is skipped.
 */
class SampleReaderTest {
  @TempDir Path dir;

  @Test
  void shouldPutOffASampleTheRegistryCouldNotServeAndSkipAMalformedOne() {
    Map<String, Object> c = new HashMap<>();
    c.put(TrainerServiceConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9");
    c.put(TrainerServiceConfig.SCHEMA_REGISTRY_URL, "http://127.0.0.1:9");
    c.put(TrainerServiceConfig.MODEL_NAMES, "tiny-q4");
    c.put(TrainerServiceConfig.MODELS_DIR, dir.resolve("models").toString());
    c.put(TrainerServiceConfig.WORK_DIR, dir.resolve("work").toString());
    c.put(TrainerServiceConfig.RESERVOIR_DIR, dir.resolve("reservoir").toString());
    TrainerServiceConfig config = TrainerServiceConfig.of(c);
    Deserializer<RawFrame> registryDown =
        (topic, bytes) -> {
          if (bytes[0] == 0) {
            throw new SerializationException(
                "Cannot fetch writer schema id 1",
                new RegistryUnavailableException("Schema registry unavailable", -1, null));
          }
          throw new SerializationException("Malformed Avro data");
        };
    try (SampleReader reader =
        new SampleReader(config, registryDown, FrameReservoir.open(config, Clock.systemUTC()))) {
      assertThat(reader.store(new ConsumerRecord<>("images.sample", 0, 7L, "cam", new byte[] {0})))
          .isFalse();
      assertThat(reader.skippedCount()).isZero();
      assertThat(reader.deferredCount()).isEqualTo(1);

      assertThat(reader.store(new ConsumerRecord<>("images.sample", 0, 8L, "cam", new byte[] {1})))
          .isTrue();
      assertThat(reader.skippedCount()).isEqualTo(1);
    }
  }
}
