package io.latentstream.codec.model;

/**
 * A latent tensor {@code [height, width, channels]}, row-major with channel fastest (batch 1
 * implied). Not shared between threads.
 */
public record Latent(float[] data, int height, int width, int channels) {
  public Latent {
    if ((long) height * width * channels != data.length) {
      throw new IllegalArgumentException(
          "latent "
              + height
              + "x"
              + width
              + "x"
              + channels
              + " does not match "
              + data.length
              + " values");
    }
  }
}
