package io.latentstream.codec.bitstream;

/**
 * What a DELTA bitstream says besides its payload: where it sits in its stream and which model made
 * it. A DELTA carries no size, format or model version: they are those of its key frame.
 *
 * @param modelFingerprint the first 24 bits of sha256 of the model version ({@link
 *     ModelFingerprint})
 * @param keySequence sequence number of the KEY frame that starts the chain
 * @param referenceSequence sequence number of the frame it is predicted from; its own is one more
 */
public record DeltaHeader(int modelFingerprint, long keySequence, long referenceSequence) {
  public DeltaHeader {
    if (referenceSequence < keySequence || referenceSequence == Long.MAX_VALUE) {
      throw new IllegalArgumentException(
          "reference sequence " + referenceSequence + " before key sequence " + keySequence);
    }
    if ((modelFingerprint & ~ModelFingerprint.MASK) != 0) {
      throw new IllegalArgumentException("fingerprint has more than 24 bits");
    }
  }

  /**
   * The DELTA's own sequence number: its reference's plus one (a gap in a stream always starts a
   * KEY frame).
   */
  public long sequence() {
    return referenceSequence + 1;
  }
}
