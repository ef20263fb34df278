package io.latentstream.streams;

import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.DeadLetterReason;
import io.latentstream.schemas.PixelFormat;
import io.latentstream.schemas.RawFrame;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One record of every kind of bad input the encode path must dead-letter, with the reason it must
 * give. Shared by the topology unit test and the dead-letter integration test.
 */
public final class BadFrames {

  /**
   * A bad record: what it is, its value bytes (null: a tombstone) and the reason expected in its
   * dead letter.
   */
  public record BadInput(String label, byte[] value, DeadLetterReason reason) {
    public byte[] key() {
      return ("bad-" + label).getBytes(StandardCharsets.UTF_8);
    }
  }

  private BadFrames() {}

  /**
   * @param rawTopic the topic the raw-frame serializer registers under
   * @param otherTopic a topic whose subject takes the {@link DeadLetter} schema (for a payload of
   *     another schema)
   */
  public static List<BadInput> all(
      Serializer<RawFrame> raw,
      Serializer<DeadLetter> deadLetter,
      String rawTopic,
      String otherTopic) {
    List<BadInput> out = new ArrayList<>();
    var image = TestFrames.image(0, 7);
    byte[] good = raw.serialize(rawTopic, TestFrames.raw("cam-x", 1, image));

    byte[] wrongMagic = good.clone();
    wrongMagic[0] = 1;
    out.add(new BadInput("wrong-magic-byte", wrongMagic, DeadLetterReason.UNDECODABLE_PAYLOAD));
    out.add(new BadInput("empty-value", new byte[0], DeadLetterReason.UNDECODABLE_PAYLOAD));
    out.add(new BadInput("tombstone", null, DeadLetterReason.UNDECODABLE_PAYLOAD));
    out.add(
        new BadInput("header-cut-short", new byte[] {0, 0, 0}, DeadLetterReason.TRUNCATED_PAYLOAD));
    out.add(
        new BadInput(
            "avro-cut-short",
            Arrays.copyOf(good, good.length / 2),
            DeadLetterReason.TRUNCATED_PAYLOAD));

    byte[] unknownId = good.clone();
    ByteBuffer.wrap(unknownId).putInt(1, 0x7ffffff0);
    out.add(new BadInput("unknown-schema-id", unknownId, DeadLetterReason.UNKNOWN_SCHEMA_ID));

    DeadLetter letter =
        DeadLetter.newBuilder()
            .setSourceTopic("x")
            .setSourcePartition(0)
            .setSourceOffset(0)
            .setReason(DeadLetterReason.UNKNOWN)
            .setMessage("m")
            .setFailureTime(Instant.EPOCH)
            .setOriginalSize(0)
            .build();
    out.add(
        new BadInput(
            "another-schema",
            deadLetter.serialize(otherTopic, letter),
            DeadLetterReason.SCHEMA_MISMATCH));

    byte[] garbage = Arrays.copyOf(good, 64);
    Arrays.fill(garbage, 5, 64, (byte) 0x01); // a string length of -1
    out.add(new BadInput("garbage-avro", garbage, DeadLetterReason.MALFORMED_PAYLOAD));

    out.add(
        new BadInput(
            "zero-width",
            raw.serialize(rawTopic, withSize(TestFrames.raw("cam-x", 2, image), 0, 48)),
            DeadLetterReason.ZERO_DIMENSIONS));
    out.add(
        new BadInput(
            "oversized",
            raw.serialize(rawTopic, withSize(TestFrames.raw("cam-x", 3, image), 100_000, 100_000)),
            DeadLetterReason.OVERSIZED_FRAME));
    RawFrame shortRgb = TestFrames.raw("cam-x", 4, image);
    shortRgb.setPixels(ByteBuffer.wrap(new byte[100]));
    out.add(
        new BadInput(
            "rgb-byte-count",
            raw.serialize(rawTopic, shortRgb),
            DeadLetterReason.BYTE_COUNT_MISMATCH));
    RawFrame grayAsRgb = TestFrames.raw("cam-x", 5, image);
    grayAsRgb.setPixelFormat(PixelFormat.GRAY8);
    out.add(
        new BadInput(
            "gray-byte-count",
            raw.serialize(rawTopic, grayAsRgb),
            DeadLetterReason.BYTE_COUNT_MISMATCH));

    byte[] jpeg = TestFrames.jpeg(image);
    out.add(
        new BadInput(
            "truncated-jpeg",
            raw.serialize(
                rawTopic,
                TestFrames.file(
                    "cam-x",
                    6,
                    PixelFormat.JPEG,
                    Arrays.copyOf(jpeg, jpeg.length * 2 / 3),
                    image.width(),
                    image.height())),
            DeadLetterReason.CORRUPT_IMAGE));
    byte[] noise = new byte[2000];
    new java.util.Random(42).nextBytes(noise);
    out.add(
        new BadInput(
            "random-bytes-as-png",
            raw.serialize(
                rawTopic,
                TestFrames.file("cam-x", 7, PixelFormat.PNG, noise, image.width(), image.height())),
            DeadLetterReason.CORRUPT_IMAGE));
    out.add(
        new BadInput(
            "png-header-disagrees",
            raw.serialize(
                rawTopic,
                TestFrames.file("cam-x", 8, PixelFormat.PNG, TestFrames.png(image), 32, 24)),
            DeadLetterReason.CORRUPT_IMAGE));
    out.add(
        new BadInput(
            "jpeg-declared-png",
            raw.serialize(
                rawTopic,
                TestFrames.file("cam-x", 9, PixelFormat.PNG, jpeg, image.width(), image.height())),
            DeadLetterReason.CORRUPT_IMAGE));
    out.add(
        new BadInput(
            "png-bomb",
            raw.serialize(
                rawTopic,
                TestFrames.file(
                    "cam-x",
                    10,
                    PixelFormat.PNG,
                    pngHeaderOnly(30_000, 30_000),
                    image.width(),
                    image.height())),
            DeadLetterReason.OVERSIZED_FRAME));
    return out;
  }

  private static RawFrame withSize(RawFrame frame, int width, int height) {
    frame.setWidth(width);
    frame.setHeight(height);
    return frame;
  }

  /**
   * A PNG whose header claims {@code width x height} RGB pixels but that carries almost no data:
   * decoding it would allocate gigabytes, so it must be refused from the header alone.
   */
  public static byte[] pngHeaderOnly(int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer ihdr =
        ByteBuffer.allocate(13)
            .putInt(width)
            .putInt(height)
            .put((byte) 8)
            .put((byte) 2)
            .put((byte) 0)
            .put((byte) 0)
            .put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(t);
    out.writeBytes(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
