package io.latentstream.streams.model;

/**
 * Why a released model package was refused. Each rejection is logged, counted per reason ({@link
 * ActiveModels#rejectionCount(RejectionReason)}) and leaves the current model serving.
 */
public enum RejectionReason {
  /**
   * The release record itself is unusable: bad version or name, unsupported location, unreadable.
   */
  INVALID_RELEASE,
  /**
   * Chunks on the artifacts topic are missing, duplicated with other content, or of the wrong total
   * size.
   */
  INCOMPLETE_CHUNKS,
  /** The reassembled archive does not hash to the release's sha256. */
  SHA256_MISMATCH,
  /** The release carries no signature and unsigned packages are not allowed. */
  MISSING_SIGNATURE,
  /**
   * A PROMOTED release published before another PROMOTED release of the same model already seen: an
   * old signed record sent again, refused so that it cannot take over from a newer promotion.
   */
  REPLAYED,
  /** The signature does not verify against the configured public key (or no key is configured). */
  BAD_SIGNATURE,
  /** The archive is malformed or tries to write outside its package directory. */
  UNSAFE_ARCHIVE,
  /** The unpacked package fails verification or its SavedModels do not load. */
  LOAD_FAILED,
  /** The loaded model fails on the warm-up frame. */
  WARMUP_FAILED,
  /**
   * Kafka or the disk failed while fetching the chunks. Not counted as a rejection any more: the
   * watcher tries such a release again ({@link ReleaseWatcher}); kept so that the metric's label
   * set stays the same.
   */
  FETCH_FAILED
}
