package io.latentstream.codec.bitstream;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/** Hostile bitstreams for tests of the decoders' limits (shared through codec's test-jar). */
public final class TestBitstreams {
  private TestBitstreams() {}

  /**
   * A KEY frame whose header claims {@code width x height} (latent grid to match) but carries the
   * payload of {@code keyBitstream}, a real small KEY frame: a decompression bomb the decoders must
   * refuse by its header before allocating anything for it.
   */
  public static byte[] claimingSize(byte[] keyBitstream, int width, int height, long sequence) {
    LsfHeader h = LsfFormat.parse(keyBitstream).header();
    return withHeader(
        keyBitstream, sequence, header(h, h.modelVersion(), width, height, h.latentChannels()));
  }

  /**
   * The KEY frame {@code keyBitstream} with its header replaced by {@code edit} of it and its
   * payload unchanged: a well-formed bitstream that lies about its model, size or channels.
   */
  public static byte[] withHeader(byte[] keyBitstream, UnaryOperator<LsfHeader> edit) {
    LsfFormat.Parsed parsed = LsfFormat.parse(keyBitstream);
    return withHeader(keyBitstream, parsed.sequence(), edit.apply(parsed.header()));
  }

  /**
   * {@code h} with another model version, frame size and latent channel count; the latent grid
   * follows the size.
   */
  public static LsfHeader header(
      LsfHeader h, String modelVersion, int width, int height, int latentChannels) {
    return new LsfHeader(
        modelVersion,
        width,
        height,
        h.pixelFormat(),
        h.container(),
        h.stride(),
        (height + h.stride() - 1) / h.stride(),
        (width + h.stride() - 1) / h.stride(),
        latentChannels);
  }

  private static byte[] withHeader(byte[] keyBitstream, long sequence, LsfHeader header) {
    LsfFormat.Parsed parsed = LsfFormat.parse(keyBitstream);
    byte[] payload =
        Arrays.copyOfRange(
            parsed.buffer(),
            parsed.payloadOffset(),
            parsed.payloadOffset() + parsed.payloadLength());
    return LsfFormat.writeKey(header, sequence, payload);
  }
}
