package io.latentstream.schemas.artifacts;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 signatures of model releases (JDK provider, no extra library). The signed message is the 32 raw bytes of
 * the archive's sha256 (the release's {@code sha256} field decoded from hex); the package's manifest, inside the
 * archive, binds name and version. Keys travel as base64: public keys X.509 (SubjectPublicKeyInfo), private keys
 * PKCS#8, i.e. {@code Key.getEncoded()}. Stateless and thread-safe.
 */
public final class ReleaseSignature {
  public static final String ALGORITHM = "Ed25519";

  private ReleaseSignature() {}

  public static KeyPair generateKeyPair() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every JDK 15+", e);
    }
  }

  /** Signs the sha256 (lower-case hex) of an archive. */
  public static byte[] sign(PrivateKey key, String sha256Hex) {
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initSign(key);
      s.update(HexFormat.of().parseHex(sha256Hex));
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
    }
  }

  /** Whether {@code signature} is a valid Ed25519 signature of the digest by {@code key}; never throws on bad input. */
  public static boolean verify(PublicKey key, String sha256Hex, byte[] signature) {
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initVerify(key);
      s.update(HexFormat.of().parseHex(sha256Hex));
      return s.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Parses a base64 X.509 Ed25519 public key.
   *
   * @throws IllegalArgumentException naming the problem
   */
  public static PublicKey publicKey(String base64) {
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePublic(
          new X509EncodedKeySpec(Base64.getDecoder().decode(base64.strip())));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a base64 X.509 Ed25519 public key: " + e.getMessage(), e);
    }
  }

  /**
   * Parses a base64 PKCS#8 Ed25519 private key.
   *
   * @throws IllegalArgumentException naming the problem
   */
  public static PrivateKey privateKey(String base64) {
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(
          new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64.strip())));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a base64 PKCS#8 Ed25519 private key: " + e.getMessage(), e);
    }
  }

  public static String encode(java.security.Key key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }
}
