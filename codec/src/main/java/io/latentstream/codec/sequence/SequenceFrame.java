package io.latentstream.codec.sequence;

import io.latentstream.codec.bitstream.FrameType;

/**
 * One frame coded by a {@link SequenceEncoder}.
 *
 * @param bitstream the LSF v2 bytes (KEY or DELTA)
 * @param type KEY or DELTA
 * @param sequence the frame's sequence number
 * @param keySequence sequence number of its chain's key frame (its own for a KEY)
 * @param cause why it is a KEY frame; null for a DELTA
 * @param modelVersion the model that coded it
 * @param width image width
 * @param height image height
 * @param codedPositions latent positions coded (all of them for a KEY; those not skipped for a
 *     DELTA)
 * @param positions latent positions of the frame
 */
public record SequenceFrame(
    byte[] bitstream,
    FrameType type,
    long sequence,
    long keySequence,
    KeyframeCause cause,
    String modelVersion,
    int width,
    int height,
    int codedPositions,
    int positions) {

  /** Bits per pixel of the whole bitstream, header included. */
  public double bpp() {
    return bitstream.length * 8.0 / ((long) width * height);
  }

  public boolean isKey() {
    return type == FrameType.KEY;
  }
}
