package io.latentstream.streams.model;

/**
 * A released package failed one step of fetch, verify, unpack, load or warm-up; carries the reason.
 */
public class ModelRejectedException extends RuntimeException {
  private final RejectionReason reason;

  public ModelRejectedException(RejectionReason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public ModelRejectedException(RejectionReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public RejectionReason reason() {
    return reason;
  }
}
