package io.latentstream.codec;

/**
 * A DELTA frame cannot be decoded because the decoder does not hold the frame it is predicted from:
 * decoding started mid-chain, a frame of the chain was lost or skipped, or the decoder holds
 * another stream. The frames needed are the chain from {@link #keySequence()} up to {@link
 * #referenceSequence()}.
 */
public class MissingReferenceException extends CodecException {
  private final long keySequence;
  private final long referenceSequence;

  public MissingReferenceException(long keySequence, long referenceSequence, String message) {
    super(message);
    this.keySequence = keySequence;
    this.referenceSequence = referenceSequence;
  }

  /** Sequence number of the KEY frame that starts the needed chain. */
  public long keySequence() {
    return keySequence;
  }

  /** Sequence number of the frame the DELTA is predicted from. */
  public long referenceSequence() {
    return referenceSequence;
  }
}
