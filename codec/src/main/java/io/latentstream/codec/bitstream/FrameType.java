package io.latentstream.codec.bitstream;

/** How a bitstream is coded: on its own, or against the previous frame of its stream. */
public enum FrameType {
  /** Self-contained: decodes without any other frame (every v1 bitstream is a KEY frame). */
  KEY,
  /**
   * Predicted from the previous frame of its stream: decodes only after the chain from its KEY
   * frame.
   */
  DELTA
}
