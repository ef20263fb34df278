package io.latentstream.codec.sequence;

/** Why a {@link SequenceEncoder} coded a frame as KEY (null for a DELTA frame). */
public enum KeyframeCause {
  /** The stream's first frame. */
  START,
  /**
   * The first frame after the encoder's chain was dropped ({@link SequenceEncoder#reset()}): state
   * lost.
   */
  RESET,
  /** {@link KeyframePolicy#intervalFrames()} frames since the last key frame. */
  INTERVAL_FRAMES,
  /** {@link KeyframePolicy#intervalMs()} since the last key frame. */
  INTERVAL_TIME,
  /**
   * Someone asked for one ({@link SequenceEncoder#requestKeyframe()}), e.g. a receiver that joined
   * late.
   */
  REQUEST,
  /** The encoder's model changed: a DELTA must be coded with the model of its chain. */
  MODEL_CHANGE,
  /** Width, height, pixel format or container changed. */
  FORMAT_CHANGE,
  /** The sequence number is not the previous one plus one: a gap, a repeat or a reordering. */
  SEQUENCE_GAP
}
