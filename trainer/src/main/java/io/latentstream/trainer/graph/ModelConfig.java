package io.latentstream.trainer.graph;

import java.util.Locale;

/**
 * Architecture of a factorized-prior model: {@code n} channels inside the transforms, {@code m}
 * latent channels, square {@code kernel}, and the nonlinearity between convolutions. Immutable.
 */
public record ModelConfig(int n, int m, int kernel, Nonlinearity nonlinearity) {

  /** Spatial down-sampling of the analysis transform (four stride-2 convolutions). */
  public static final int STRIDE = 16;

  /** Nonlinearity between the convolutions of both transforms. */
  public enum Nonlinearity {
    /** Generalized divisive normalization (inverse GDN in the synthesis transform). */
    GDN,
    /** Plain ReLU, faster on CPU, slightly worse rate-distortion. */
    RELU;

    /** The lower-case name used in manifests and on the command line. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code gdn} or {@code relu}, case-insensitively. */
    public static Nonlinearity parse(String text) {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }
  }

  public ModelConfig {
    if (n < 1 || m < 1) {
      throw new IllegalArgumentException("N and M must be positive, got N=" + n + " M=" + m);
    }
    if (kernel < 1 || kernel % 2 == 0) {
      throw new IllegalArgumentException("kernel must be odd and positive, got " + kernel);
    }
    if (nonlinearity == null) {
      throw new IllegalArgumentException("nonlinearity is required");
    }
  }

  /** The shipped default: N=64, M=128, 5x5, GDN. */
  public static ModelConfig defaults() {
    return new ModelConfig(64, 128, 5, Nonlinearity.GDN);
  }
}
