package io.latentstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.schemas.DeadLetterReason;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class WireFormatTest {

  @Test
  void shouldWriteMagicByteAndBigEndianIdWhenWritingHeader() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    WireFormat.writeHeader(out, 0x01020304);

    assertThat(out.toByteArray()).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void shouldReadBackTheIdWhenHeaderIsValid() {
    for (int id : new int[] {0, 1, 255, 256, 65_536, Integer.MAX_VALUE, -1}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      WireFormat.writeHeader(out, id);
      out.write(42);

      assertThat(WireFormat.readSchemaId(out.toByteArray())).isEqualTo(id);
    }
  }

  @Test
  void shouldRejectAsUndecodableWhenPayloadIsEmptyOrHasWrongMagicByte() {
    for (byte[] payload :
        new byte[][] {null, {}, {1, 0, 0, 0, 1, 2}, {'{', '"', 'a', '"', '}'}, {(byte) 0xff}}) {
      assertThatThrownBy(() -> WireFormat.readSchemaId(payload))
          .isInstanceOfSatisfying(
              UnknownMagicByteException.class,
              e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.UNDECODABLE_PAYLOAD));
    }
  }

  @Test
  void shouldRejectAsTruncatedWhenShorterThanHeader() {
    assertThatThrownBy(() -> WireFormat.readSchemaId(new byte[] {0, 0, 0, 1}))
        .isInstanceOfSatisfying(
            TruncatedPayloadException.class,
            e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.TRUNCATED_PAYLOAD))
        .hasMessageContaining("4 byte(s)");
  }
}
