package io.latentstream.codec.bitstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.codec.CorruptBitstreamException;
import io.latentstream.codec.image.ContainerFormat;
import io.latentstream.codec.image.PixelFormat;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class LsfFormatTest {
  private static final LsfHeader HEADER =
      new LsfHeader(
          "default-q3-20261125120000-1a2b3c4d",
          33,
          17,
          PixelFormat.GRAY8,
          ContainerFormat.PNG,
          16,
          2,
          3,
          8);

  private static byte[] withCrc(byte[] b) {
    CRC32 crc = new CRC32();
    crc.update(b, 0, b.length - 4);
    ByteBuffer.wrap(b, b.length - 4, 4).putInt((int) crc.getValue());
    return b;
  }

  @Test
  void shouldRoundTripHeaderAndPayload() {
    byte[] payload = {1, 2, 3, 4, 5};
    byte[] bits = LsfFormat.writeV1(HEADER, payload);
    LsfFormat.Parsed parsed = LsfFormat.parse(bits);
    assertThat(parsed.header()).isEqualTo(HEADER);
    assertThat(parsed.payloadLength()).isEqualTo(5);
    assertThat(bits[parsed.payloadOffset()]).isEqualTo((byte) 1);
  }

  @Test
  void shouldDetectTruncationAndCorruption() {
    byte[] bits = LsfFormat.writeV1(HEADER, new byte[] {9, 9, 9, 9});
    for (int len = 0; len < bits.length; len++) {
      byte[] cut = java.util.Arrays.copyOf(bits, len);
      assertThatThrownBy(() -> LsfFormat.parse(cut)).isInstanceOf(CorruptBitstreamException.class);
    }
    byte[] flipped = bits.clone();
    flipped[bits.length - 6] ^= 1;
    assertThatThrownBy(() -> LsfFormat.parse(flipped)).hasMessageContaining("CRC");
  }

  @Test
  void shouldRejectAbsurdDimensionsBeforeAllocatingWhenCrcIsValid() {
    byte[] bits = LsfFormat.writeV1(HEADER, new byte[] {9, 9, 9, 9});
    ByteBuffer.wrap(bits).putInt(8, Integer.MAX_VALUE).putInt(12, 0x7fffffff);
    assertThatThrownBy(() -> LsfFormat.parse(withCrc(bits)))
        .isInstanceOf(CorruptBitstreamException.class)
        .hasMessageContaining("size");
  }

  @Test
  void shouldRejectLatentShapeThatDoesNotFitImage() {
    byte[] bits = LsfFormat.writeV1(HEADER, new byte[] {9, 9, 9, 9});
    ByteBuffer.wrap(bits).putShort(18, (short) 40);
    assertThatThrownBy(() -> LsfFormat.parse(withCrc(bits))).hasMessageContaining("latent shape");
  }

  @Test
  void shouldRejectUnknownMagicAndVersion() {
    byte[] bits = LsfFormat.writeV1(HEADER, new byte[] {9, 9, 9, 9});
    byte[] magic = bits.clone();
    magic[0] = 'X';
    assertThatThrownBy(() -> LsfFormat.parse(magic)).hasMessageContaining("magic");
    byte[] version = bits.clone();
    version[3] = 3;
    assertThatThrownBy(() -> LsfFormat.parse(version)).hasMessageContaining("version");
  }

  @Test
  void shouldRoundTripV2KeyFrameWithItsSequenceNumber() {
    byte[] bits = LsfFormat.writeKey(HEADER, 1_234_567_890_123L, new byte[] {7, 7, 7, 7});
    LsfFormat.Parsed parsed = LsfFormat.parse(bits);
    assertThat(parsed.formatVersion()).isEqualTo(2);
    assertThat(parsed.type()).isEqualTo(FrameType.KEY);
    assertThat(parsed.header()).isEqualTo(HEADER);
    assertThat(parsed.sequence()).isEqualTo(1_234_567_890_123L);
    assertThat(parsed.payloadLength()).isEqualTo(4);
  }

  @Test
  void shouldKeepDeltaOverheadWithin16BytesForSequencesBelow2To20AndChainsBelow128() {
    int fingerprint = ModelFingerprint.of(HEADER.modelVersion());
    DeltaHeader d = new DeltaHeader(fingerprint, (1 << 20) - 1, (1 << 20) - 1 + 127);
    byte[] payload = {1, 2, 3};
    byte[] bits = LsfFormat.writeDelta(d, payload);
    assertThat(bits.length - payload.length).isLessThanOrEqualTo(16);
    LsfFormat.Parsed parsed = LsfFormat.parse(bits);
    assertThat(parsed.type()).isEqualTo(FrameType.DELTA);
    assertThat(parsed.header()).isNull();
    assertThat(parsed.delta()).isEqualTo(d);
    assertThat(parsed.sequence()).isEqualTo(d.referenceSequence() + 1);
    assertThat(parsed.payloadLength()).isEqualTo(3);
  }

  @Test
  void shouldRoundTripExtremeDeltaSequenceNumbers() {
    for (long key : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE - 1, 1L << 40}) {
      DeltaHeader d = new DeltaHeader(0xabcdef, key, key);
      assertThat(LsfFormat.parse(LsfFormat.writeDelta(d, new byte[] {1, 2, 3, 4})).delta())
          .isEqualTo(d);
    }
  }

  @Test
  void shouldRejectTruncatedOrCorruptedDeltaWithTypedError() {
    byte[] bits = LsfFormat.writeDelta(new DeltaHeader(1, 10, 12), new byte[] {1, 2, 3, 4, 5});
    for (int len = 0; len < bits.length; len++) {
      byte[] cut = java.util.Arrays.copyOf(bits, len);
      assertThatThrownBy(() -> LsfFormat.parse(cut)).isInstanceOf(CorruptBitstreamException.class);
    }
    for (int i = 0; i < bits.length; i++) {
      byte[] flipped = bits.clone();
      flipped[i] ^= 0x10;
      assertThatThrownBy(() -> LsfFormat.parse(flipped))
          .isInstanceOf(CorruptBitstreamException.class);
    }
  }
}
