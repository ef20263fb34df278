package io.latentstream.codec.bitstream;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The 24-bit model fingerprint of DELTA bitstreams: the first three bytes of sha256 over the model
 * version string. A decoder compares it with the model of the chain it holds, so a DELTA of another
 * model is refused instead of decoded into garbage (a collision between two given versions has odds
 * of 1 in 16.7 million).
 */
public final class ModelFingerprint {
  static final int MASK = 0xffffff;

  private ModelFingerprint() {}

  public static int of(String modelVersion) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(modelVersion.getBytes(StandardCharsets.US_ASCII));
      return ((d[0] & 0xff) << 16) | ((d[1] & 0xff) << 8) | (d[2] & 0xff);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is mandatory on every JVM", e);
    }
  }
}
