package io.latentstream.streams.topology;

import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.LatentFrame;

/**
 * What the encode processor emits for one raw frame; the topology routes each kind to its topic.
 * Passed between processors of one task only, never serialized. The records hold mutable Avro
 * objects and byte arrays: treat them as read-only once emitted.
 */
public sealed interface EncodeOutcome {

  /** The frame, encoded: goes to the latent topic. */
  record Encoded(LatentFrame frame) implements EncodeOutcome {}

  /** The frame could not be encoded: goes to the dead-letter topic. */
  record Rejected(DeadLetter deadLetter) implements EncodeOutcome {}

  /** The frame's original record bytes, chosen for the retraining sample. */
  record Sampled(byte[] rawRecord) implements EncodeOutcome {}
}
