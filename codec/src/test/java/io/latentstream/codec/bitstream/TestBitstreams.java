package io.latentstream.codec.bitstream;

import java.util.Arrays;

/** Hostile bitstreams for tests of the decoders' limits (shared through codec's test-jar). */
public final class TestBitstreams {
  private TestBitstreams() {}

  /**
   * A KEY frame whose header claims {@code width x height} (latent grid to match) but carries the
   * payload of {@code keyBitstream}, a real small KEY frame: a decompression bomb the decoders must
   * refuse by its header before allocating anything for it.
   */
  public static byte[] claimingSize(byte[] keyBitstream, int width, int height, long sequence) {
    LsfFormat.Parsed parsed = LsfFormat.parse(keyBitstream);
    LsfHeader h = parsed.header();
    LsfHeader claimed =
        new LsfHeader(
            h.modelVersion(),
            width,
            height,
            h.pixelFormat(),
            h.container(),
            h.stride(),
            (height + h.stride() - 1) / h.stride(),
            (width + h.stride() - 1) / h.stride(),
            h.latentChannels());
    byte[] payload =
        Arrays.copyOfRange(
            parsed.buffer(),
            parsed.payloadOffset(),
            parsed.payloadOffset() + parsed.payloadLength());
    return LsfFormat.writeKey(claimed, sequence, payload);
  }
}
