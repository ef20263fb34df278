package io.latentstream.codec;

/** A bitstream (or a command line) names a model version or family that cannot be found. */
public class UnknownModelException extends CodecException {
  private final String model;

  public UnknownModelException(String model, String message) {
    super(message);
    this.model = model;
  }

  /** The model version or name that could not be resolved. */
  public String model() {
    return model;
  }
}
