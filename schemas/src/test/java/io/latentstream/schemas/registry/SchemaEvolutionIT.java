package io.latentstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.SampleRecords;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * The schemas evolve compatibly, checked against the real registry: today's {@code LatentFrame}
 * (key and delta frames: keySequence, referenceSequence, keyframeCause) and {@code DeadLetter}
 * (reason DUPLICATE_FRAME) register under BACKWARD compatibility over the versions before them, and
 * a consumer built against the old LatentFrame still reads the new records of KEY frames.
 */
@RealPlatform
class SchemaEvolutionIT {

  private static Schema previous(String file) throws IOException {
    Schema.Parser parser = new Schema.Parser();
    parser.parse(
        io.latentstream.schemas.PixelFormat.getClassSchema()
            .toString()); // named type they refer to
    try (InputStream in = SchemaEvolutionIT.class.getResourceAsStream("/previous/" + file)) {
      return parser.parse(in);
    }
  }

  @Test
  void shouldRegisterTheNewSchemasOverThePreviousOnesUnderBackwardCompatibility(
      TestPlatform platform) throws Exception {
    SchemaRegistryClient client =
        new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl()));
    for (Object[] pair :
        new Object[][] {
          {"LatentFrame-1.avsc", LatentFrame.getClassSchema()},
          {"DeadLetter-1.avsc", DeadLetter.getClassSchema()}
        }) {
      String subject = platform.uniqueName(((Schema) pair[1]).getName()) + "-value";
      client.register(subject, previous((String) pair[0]));
      client.setCompatibility(subject, CompatibilityLevel.BACKWARD);
      assertThat(client.testCompatibility(subject, (Schema) pair[1])).as(subject).isTrue();
      client.register(subject, (Schema) pair[1]);
      assertThat(client.getLatest(subject).version()).isEqualTo(2);
    }
  }

  @Test
  void shouldLetAConsumerOfThePreviousLatentFrameReadANewKeyFrame() throws Exception {
    LatentFrame key = SampleRecords.latentFrame();
    key.setFrameType(FrameType.KEY);
    key.setKeySequence(key.getSequence());
    key.setKeyframeCause("INTERVAL_FRAMES");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new SpecificDatumWriter<>(LatentFrame.class).write(key, encoder);
    encoder.flush();

    Schema old = previous("LatentFrame-1.avsc");
    GenericRecord read =
        new GenericDatumReader<GenericRecord>(LatentFrame.getClassSchema(), old)
            .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    assertThat(read.get("cameraId").toString()).isEqualTo(key.getCameraId());
    assertThat(read.get("sequence")).isEqualTo(key.getSequence());
    assertThat(read.get("frameType").toString()).isEqualTo("KEY");
    assertThat(read.get("bitstream")).isEqualTo(key.getBitstream());
    assertThat(read.getSchema().getField("keySequence")).isNull();
  }
}
