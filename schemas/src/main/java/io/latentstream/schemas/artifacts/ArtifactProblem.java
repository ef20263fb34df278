package io.latentstream.schemas.artifacts;

/** What is wrong with a published model package (see {@link ArtifactException}). */
public enum ArtifactProblem {
  /**
   * The release record itself is unusable: a malformed version or name, an unsupported location.
   */
  INVALID_RELEASE,
  /** Chunks are missing, beyond the announced count, or do not add up to the announced size. */
  INCOMPLETE_CHUNKS,
  /** The reassembled archive does not hash to the release's sha256. */
  SHA256_MISMATCH,
  /** The release has no signature. */
  MISSING_SIGNATURE,
  /** The signature does not verify against the public key. */
  BAD_SIGNATURE,
  /**
   * The archive is malformed, too large, or has an entry that would land outside the target
   * directory.
   */
  UNSAFE_ARCHIVE,
  /** The artifacts topic or the disk could not be read or written: worth trying again later. */
  FETCH_FAILED
}
