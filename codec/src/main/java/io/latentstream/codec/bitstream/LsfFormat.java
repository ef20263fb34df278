package io.latentstream.codec.bitstream;

import io.latentstream.codec.CorruptBitstreamException;
import io.latentstream.codec.InvalidImageException;
import io.latentstream.codec.image.ContainerFormat;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The {@code .lsf} bitstream: the LatentFrame {@code bitstream} field and the content of a {@code .lsf} file
 * (identical bytes). All integers are big-endian.
 *
 * <pre>
 * offset size  field
 *  0     3     magic "LSF"
 *  3     1     format version (1)
 *  4     1     pixel format: 0 = RGB24, 1 = GRAY8
 *  5     1     original container: 0 = raw, 1 = PNG, 2 = JPEG
 *  6     2     flags, 0 (reserved: frame type KEY; DELTA later)
 *  8     4     width
 * 12     4     height
 * 16     2     stride s
 * 18     2     latent height  = ceil(height / s)
 * 20     2     latent width   = ceil(width / s)
 * 22     2     latent channels M
 * 24     1     n = length of the model version
 * 25     n     model version, ASCII [a-z0-9][a-z0-9-]*
 * 25+n   4     payload length p
 * 29+n   p     rANS payload (io.latentstream.codec.entropy.RansCoder), latent symbols (row, column, channel)
 * 29+n+p 4     CRC-32 of every preceding byte
 * </pre>
 *
 * <p>{@link #parse} checks the exact total length, the CRC and every field's range (dimension caps, latent shape
 * against width/height/stride) before anything is allocated from the header's numbers. Stateless, thread-safe.
 */
public final class LsfFormat {
  public static final int FORMAT_VERSION = 1;
  /** Bytes before the model version string. */
  static final int FIXED_HEADER = 25;
  private static final byte[] MAGIC = {'L', 'S', 'F'};
  private static final Pattern VERSION = Pattern.compile("[a-z0-9][a-z0-9-]*");
  /** Upper bound on latent channels, far above any sensible model. */
  public static final int MAX_LATENT_CHANNELS = 4096;
  /** Upper bound on the stride, far above any sensible model. */
  public static final int MAX_STRIDE = 1024;
  /** Upper bound on latent symbols per frame (256 MB of ints); a 16384x4096 frame at stride 16, M=192 is 50M. */
  public static final long MAX_SYMBOLS = 1L << 26;

  private LsfFormat() {}

  /** A parsed bitstream: the header and where its payload lies in the original array (no copy). */
  public record Parsed(LsfHeader header, byte[] buffer, int payloadOffset, int payloadLength) {}

  /** Serialises a header and payload. */
  public static byte[] write(LsfHeader h, byte[] payload) {
    validate(h);
    byte[] version = h.modelVersion().getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out = ByteBuffer.allocate(FIXED_HEADER + version.length + 4 + payload.length + 4);
    out.put(MAGIC).put((byte) FORMAT_VERSION);
    out.put((byte) h.pixelFormat().ordinal()).put((byte) h.container().ordinal()).putShort((short) 0);
    out.putInt(h.width()).putInt(h.height());
    out.putShort((short) h.stride()).putShort((short) h.latentHeight()).putShort((short) h.latentWidth())
        .putShort((short) h.latentChannels());
    out.put((byte) version.length).put(version);
    out.putInt(payload.length).put(payload);
    CRC32 crc = new CRC32();
    crc.update(out.array(), 0, out.position());
    out.putInt((int) crc.getValue());
    return out.array();
  }

  /**
   * Parses and validates a bitstream.
   *
   * @throws CorruptBitstreamException naming the first problem found
   */
  public static Parsed parse(byte[] b) {
    if (b == null || b.length < FIXED_HEADER + 1 + 4 + 4) {
      throw new CorruptBitstreamException("bitstream too short: " + (b == null ? 0 : b.length) + " bytes");
    }
    if (b[0] != MAGIC[0] || b[1] != MAGIC[1] || b[2] != MAGIC[2]) {
      throw new CorruptBitstreamException("not an LSF bitstream (bad magic)");
    }
    if (b[3] != FORMAT_VERSION) {
      throw new CorruptBitstreamException("unsupported LSF format version " + (b[3] & 0xff));
    }
    ByteBuffer in = ByteBuffer.wrap(b);
    in.position(4);
    int pixelFormat = in.get() & 0xff;
    int container = in.get() & 0xff;
    int flags = in.getShort() & 0xffff;
    long width = in.getInt() & 0xffffffffL;
    long height = in.getInt() & 0xffffffffL;
    int stride = in.getShort() & 0xffff;
    int latentHeight = in.getShort() & 0xffff;
    int latentWidth = in.getShort() & 0xffff;
    int channels = in.getShort() & 0xffff;
    int versionLength = in.get() & 0xff;
    long expectedMin = (long) FIXED_HEADER + versionLength + 4 + 4;
    if (versionLength == 0 || b.length < expectedMin) {
      throw new CorruptBitstreamException("bitstream truncated in header");
    }
    String version = new String(b, FIXED_HEADER, versionLength, StandardCharsets.US_ASCII);
    in.position(FIXED_HEADER + versionLength);
    long payloadLength = in.getInt() & 0xffffffffL;
    long total = expectedMin + payloadLength;
    if (total != b.length) {
      throw new CorruptBitstreamException(
          "bitstream length " + b.length + " does not match header (" + total + " bytes expected): truncated or padded");
    }
    int crcAt = b.length - 4;
    CRC32 crc = new CRC32();
    crc.update(b, 0, crcAt);
    if ((int) crc.getValue() != ByteBuffer.wrap(b, crcAt, 4).getInt()) {
      throw new CorruptBitstreamException("bitstream CRC mismatch: corrupted");
    }
    if (flags != 0) {
      throw new CorruptBitstreamException("unsupported flags 0x" + Integer.toHexString(flags));
    }
    if (pixelFormat >= PixelFormat.values().length || container >= ContainerFormat.values().length) {
      throw new CorruptBitstreamException("unknown pixel format " + pixelFormat + " or container " + container);
    }
    LsfHeader h = new LsfHeader(version, (int) Math.min(width, Integer.MAX_VALUE),
        (int) Math.min(height, Integer.MAX_VALUE), PixelFormat.values()[pixelFormat],
        ContainerFormat.values()[container], stride, latentHeight, latentWidth, channels);
    if (width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
      throw new CorruptBitstreamException("image size " + width + "x" + height + " out of range");
    }
    try {
      validate(h);
    } catch (IllegalArgumentException | InvalidImageException e) {
      throw new CorruptBitstreamException("invalid bitstream header: " + e.getMessage(), e);
    }
    return new Parsed(h, b, FIXED_HEADER + versionLength + 4, (int) payloadLength);
  }

  private static void validate(LsfHeader h) {
    if (h.modelVersion() == null || h.modelVersion().length() > 255 || !VERSION.matcher(h.modelVersion()).matches()) {
      throw new IllegalArgumentException("model version must match " + VERSION + " (max 255 chars)");
    }
    PixelImage.checkDimensions(h.width(), h.height());
    if (h.stride() < 1 || h.stride() > MAX_STRIDE) {
      throw new IllegalArgumentException("stride " + h.stride() + " outside 1.." + MAX_STRIDE);
    }
    if (h.latentChannels() < 1 || h.latentChannels() > MAX_LATENT_CHANNELS) {
      throw new IllegalArgumentException("latent channels " + h.latentChannels() + " outside 1.." + MAX_LATENT_CHANNELS);
    }
    int expectedH = ceilDiv(h.height(), h.stride());
    int expectedW = ceilDiv(h.width(), h.stride());
    if (h.latentHeight() != expectedH || h.latentWidth() != expectedW) {
      throw new IllegalArgumentException("latent shape " + h.latentHeight() + "x" + h.latentWidth() + " does not fit "
          + h.width() + "x" + h.height() + " at stride " + h.stride() + " (" + expectedH + "x" + expectedW + ")");
    }
    if (expectedH > 0xffff || expectedW > 0xffff || h.symbolCount() > MAX_SYMBOLS) {
      throw new IllegalArgumentException("latent too large: " + h.symbolCount() + " symbols");
    }
  }

  static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
