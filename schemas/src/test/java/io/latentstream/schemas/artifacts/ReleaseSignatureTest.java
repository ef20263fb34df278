package io.latentstream.schemas.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;

class ReleaseSignatureTest {
  private static final String SHA = ArtifactChunkFormat.sha256("package".getBytes(StandardCharsets.UTF_8));

  @Test
  void shouldVerifyWhenSignedByTheMatchingKeyAfterABase64RoundTrip() {
    KeyPair keys = ReleaseSignature.generateKeyPair();
    byte[] signature = ReleaseSignature.sign(ReleaseSignature.privateKey(ReleaseSignature.encode(keys.getPrivate())),
        SHA);

    assertThat(ReleaseSignature.verify(ReleaseSignature.publicKey(ReleaseSignature.encode(keys.getPublic())), SHA,
        signature)).isTrue();
  }

  @Test
  void shouldNotVerifyWhenKeyDigestOrSignatureDiffer() {
    KeyPair keys = ReleaseSignature.generateKeyPair();
    byte[] signature = ReleaseSignature.sign(keys.getPrivate(), SHA);
    String otherSha = ArtifactChunkFormat.sha256(new byte[] {1});
    byte[] flipped = signature.clone();
    flipped[5] ^= 1;

    assertThat(ReleaseSignature.verify(ReleaseSignature.generateKeyPair().getPublic(), SHA, signature)).isFalse();
    assertThat(ReleaseSignature.verify(keys.getPublic(), otherSha, signature)).isFalse();
    assertThat(ReleaseSignature.verify(keys.getPublic(), SHA, flipped)).isFalse();
    assertThat(ReleaseSignature.verify(keys.getPublic(), SHA, new byte[3])).isFalse();
  }

  @Test
  void shouldFailClearlyWhenAKeyIsNotBase64Ed25519() {
    assertThatThrownBy(() -> ReleaseSignature.publicKey("not a key"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Ed25519 public key");
  }

  @Test
  void shouldParseOnlyItsOwnVersionsChunkKeys() {
    assertThat(ArtifactChunkFormat.index("m-q1-20261125000000-abcdef01/7", "m-q1-20261125000000-abcdef01"))
        .hasValue(7);
    assertThat(ArtifactChunkFormat.index("m-q1-20261125000000-abcdef01/7", "m-q1-20261125000000-abcdef0"))
        .isEmpty();
    assertThat(ArtifactChunkFormat.index("v/x", "v")).isEmpty();
    assertThat(ArtifactChunkFormat.index("v/", "v")).isEmpty();
  }
}
