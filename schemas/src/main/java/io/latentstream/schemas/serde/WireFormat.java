package io.latentstream.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * The Confluent schema-registry wire format: magic byte {@code 0}, the schema id as a 4-byte
 * big-endian int, then the Avro binary encoding of the record. Stateless.
 */
public final class WireFormat {

  /** First byte of every payload. */
  public static final byte MAGIC_BYTE = 0;

  /** Magic byte plus schema id. */
  public static final int HEADER_SIZE = 5;

  private WireFormat() {}

  /** Writes the header for this schema id. */
  public static void writeHeader(ByteArrayOutputStream out, int schemaId) {
    out.write(MAGIC_BYTE);
    out.write(schemaId >>> 24);
    out.write(schemaId >>> 16);
    out.write(schemaId >>> 8);
    out.write(schemaId);
  }

  /**
   * Reads the schema id from a payload's header.
   *
   * @throws UnknownMagicByteException if the payload is null, empty or does not start with {@link
   *     #MAGIC_BYTE}
   * @throws TruncatedPayloadException if it starts with the magic byte but is shorter than the
   *     header
   */
  public static int readSchemaId(byte[] payload) {
    if (payload == null || payload.length == 0) {
      throw new UnknownMagicByteException(
          "Empty payload: expected magic byte 0 and a 4-byte schema id");
    }
    if (payload[0] != MAGIC_BYTE) {
      throw new UnknownMagicByteException(
          String.format(
              "Unknown magic byte 0x%02x (expected 0x00): not schema-registry wire format",
              payload[0] & 0xff));
    }
    if (payload.length < HEADER_SIZE) {
      throw new TruncatedPayloadException(
          "Payload of "
              + payload.length
              + " byte(s) is shorter than the "
              + HEADER_SIZE
              + "-byte header",
          null);
    }
    return ByteBuffer.wrap(payload, 1, 4).getInt();
  }
}
