package io.latentstream.schemas.artifacts;

import io.latentstream.schemas.ArtifactChunks;
import io.latentstream.schemas.ArtifactUri;
import io.latentstream.schemas.ModelRelease;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
import java.util.Locale;

/**
 * Ed25519 signatures of model releases (JDK provider, no extra library). The signed message is the
 * release's metadata ({@link #message}): name, version, parent, creation time, the archive's
 * sha256, where and how large the archive is, and the status, so that none of them can be changed
 * without the key (a larger announced size, say, to widen what a fetcher accepts, or a withdrawn
 * release promoted again). The package's manifest, inside the archive, binds name and version
 * again. The publication time, when set, is signed too: it orders the PROMOTED records of a model,
 * so that an old record sent again is recognised. Keys travel as base64: public keys X.509
 * (SubjectPublicKeyInfo), private keys PKCS#8, i.e. {@code Key.getEncoded()}. Stateless and
 * thread-safe.
 */
public final class ReleaseSignature {
  public static final String ALGORITHM = "Ed25519";

  /**
   * First field of every signed message: the signature scheme, so that no other signed bytes can
   * pass as one.
   */
  public static final String MESSAGE_TAG = "latentstream.model-release.v2";

  private ReleaseSignature() {}

  public static KeyPair generateKeyPair() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every JDK 15+", e);
    }
  }

  /** Signs a release; its {@code signature} field is ignored. */
  public static byte[] sign(PrivateKey key, ModelRelease release) {
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initSign(key);
      s.update(message(release));
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
    }
  }

  /**
   * Whether the release's {@code signature} is a valid Ed25519 signature of it by {@code key};
   * false when it has none; never throws on bad input.
   */
  public static boolean verify(PublicKey key, ModelRelease release) {
    ByteBuffer sig = release.getSignature();
    if (sig == null || !sig.hasRemaining()) {
      return false;
    }
    byte[] signature = new byte[sig.remaining()];
    sig.duplicate().get(signature);
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initVerify(key);
      s.update(message(release));
      return s.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * What is signed: the tag {@value #MESSAGE_TAG}, then the release's modelName, version,
   * parentVersion, createdAt, sha256 (lower-case), location (topic, chunk count and total size, or
   * the URI), status and statusReason, then, when set, the string {@code publishedAt} and that
   * time; each string as a 4-byte big-endian length (-1 for null) and its UTF-8 bytes, each number
   * as 8 bytes big-endian. Evaluation metrics and training data are informational and not signed.
   */
  static byte[] message(ModelRelease release) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    DataOutputStream out = new DataOutputStream(bytes);
    try {
      string(out, MESSAGE_TAG);
      string(out, release.getModelName());
      string(out, release.getVersion());
      string(out, release.getParentVersion());
      out.writeLong(
          release.getCreatedAt() == null ? Long.MIN_VALUE : release.getCreatedAt().toEpochMilli());
      string(
          out, release.getSha256() == null ? null : release.getSha256().toLowerCase(Locale.ROOT));
      Object location = release.getLocation();
      if (location instanceof ArtifactChunks chunks) {
        string(out, "chunks");
        string(out, chunks.getTopic());
        out.writeLong(chunks.getChunkCount());
        out.writeLong(chunks.getTotalSizeBytes());
      } else if (location instanceof ArtifactUri uri) {
        string(out, "uri");
        string(out, uri.getUri());
      } else {
        string(out, null);
      }
      string(out, release.getStatus() == null ? null : release.getStatus().name());
      string(out, release.getStatusReason());
      if (release.getPublishedAt()
          != null) { // absent from records of before the field: their messages unchanged
        string(out, "publishedAt");
        out.writeLong(release.getPublishedAt().toEpochMilli());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // not thrown by a byte array
    }
    return bytes.toByteArray();
  }

  private static void string(DataOutputStream out, CharSequence s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] utf8 = s.toString().getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  /**
   * Parses a base64 X.509 Ed25519 public key.
   *
   * @throws IllegalArgumentException naming the problem
   */
  public static PublicKey publicKey(String base64) {
    try {
      return KeyFactory.getInstance(ALGORITHM)
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64.strip())));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "not a base64 X.509 Ed25519 public key: " + e.getMessage(), e);
    }
  }

  /**
   * Parses a base64 PKCS#8 Ed25519 private key.
   *
   * @throws IllegalArgumentException naming the problem
   */
  public static PrivateKey privateKey(String base64) {
    try {
      return KeyFactory.getInstance(ALGORITHM)
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64.strip())));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "not a base64 PKCS#8 Ed25519 private key: " + e.getMessage(), e);
    }
  }

  public static String encode(java.security.Key key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }
}
