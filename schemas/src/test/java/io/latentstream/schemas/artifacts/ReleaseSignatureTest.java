package io.latentstream.schemas.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.schemas.ArtifactChunks;
import io.latentstream.schemas.ArtifactUri;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.ModelStatus;
import io.latentstream.schemas.SampleRecords;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ReleaseSignatureTest {

  /** A release signed by {@code key}. */
  private static ModelRelease signed(PrivateKey key, ModelRelease release) {
    ModelRelease copy = ModelRelease.newBuilder(release).setSignature(null).build();
    copy.setSignature(ByteBuffer.wrap(ReleaseSignature.sign(key, copy)));
    return copy;
  }

  @Test
  void shouldVerifyWhenSignedByTheMatchingKeyAfterABase64RoundTrip() {
    KeyPair keys = ReleaseSignature.generateKeyPair();
    ModelRelease release =
        signed(
            ReleaseSignature.privateKey(ReleaseSignature.encode(keys.getPrivate())),
            SampleRecords.modelRelease());

    assertThat(
            ReleaseSignature.verify(
                ReleaseSignature.publicKey(ReleaseSignature.encode(keys.getPublic())), release))
        .isTrue();
  }

  @Test
  void shouldNotVerifyWhenKeyOrSignatureDifferOrThereIsNone() {
    KeyPair keys = ReleaseSignature.generateKeyPair();
    ModelRelease release = signed(keys.getPrivate(), SampleRecords.modelRelease());
    byte[] flipped = new byte[release.getSignature().remaining()];
    release.getSignature().duplicate().get(flipped);
    flipped[5] ^= 1;

    assertThat(ReleaseSignature.verify(ReleaseSignature.generateKeyPair().getPublic(), release))
        .isFalse();
    assertThat(
            ReleaseSignature.verify(
                keys.getPublic(),
                ModelRelease.newBuilder(release).setSignature(ByteBuffer.wrap(flipped)).build()))
        .isFalse();
    assertThat(
            ReleaseSignature.verify(
                keys.getPublic(),
                ModelRelease.newBuilder(release)
                    .setSignature(ByteBuffer.wrap(new byte[3]))
                    .build()))
        .isFalse();
    assertThat(
            ReleaseSignature.verify(
                keys.getPublic(), ModelRelease.newBuilder(release).setSignature(null).build()))
        .isFalse();
  }

  @Test
  void shouldNotVerifyWhenAnySignedFieldOfTheReleaseIsChanged() {
    KeyPair keys = ReleaseSignature.generateKeyPair();
    ModelRelease release = signed(keys.getPrivate(), SampleRecords.modelRelease());
    ArtifactChunks location = (ArtifactChunks) release.getLocation();
    Map<String, Consumer<ModelRelease.Builder>> changes = new LinkedHashMap<>();
    changes.put("sha256", b -> b.setSha256("00".repeat(32)));
    changes.put("modelName", b -> b.setModelName("other-q3"));
    changes.put("version", b -> b.setVersion("default-q3-20261125120001-1a2b3c4d"));
    changes.put("parentVersion", b -> b.setParentVersion(null));
    changes.put("createdAt", b -> b.setCreatedAt(release.getCreatedAt().plusMillis(1)));
    changes.put("status", b -> b.setStatus(ModelStatus.CANDIDATE));
    changes.put("statusReason", b -> b.setStatusReason("replayed"));
    changes.put(
        "totalSizeBytes",
        b ->
            b.setLocation(ArtifactChunks.newBuilder(location).setTotalSizeBytes(1L << 40).build()));
    changes.put(
        "chunkCount",
        b -> b.setLocation(ArtifactChunks.newBuilder(location).setChunkCount(1).build()));
    changes.put(
        "topic",
        b -> b.setLocation(ArtifactChunks.newBuilder(location).setTopic("elsewhere").build()));
    changes.put("uri", b -> b.setLocation(new ArtifactUri("https://example.org/p.zip")));

    assertThat(ReleaseSignature.verify(keys.getPublic(), release)).isTrue();
    changes.forEach(
        (field, change) -> {
          ModelRelease.Builder tampered = ModelRelease.newBuilder(release);
          change.accept(tampered);
          assertThat(ReleaseSignature.verify(keys.getPublic(), tampered.build()))
              .as(field)
              .isFalse();
        });
  }

  @Test
  void shouldSignThePublicationTimeSoThatAnOldRecordCannotBePassedOffAsANewOne() {
    KeyPair keys = ReleaseSignature.generateKeyPair();
    ModelRelease old =
        signed(keys.getPrivate(), SampleRecords.modelRelease()); // of before the field: none
    ModelRelease published =
        signed(
            keys.getPrivate(),
            ModelRelease.newBuilder(SampleRecords.modelRelease())
                .setPublishedAt(Instant.parse("2026-12-05T10:00:00Z"))
                .build());

    assertThat(ReleaseSignature.verify(keys.getPublic(), old)).isTrue();
    assertThat(ReleaseSignature.verify(keys.getPublic(), published)).isTrue();
    assertThat(
            ReleaseSignature.verify(
                keys.getPublic(),
                ModelRelease.newBuilder(old)
                    .setPublishedAt(Instant.parse("2030-01-01T00:00:00Z"))
                    .build()))
        .isFalse();
    assertThat(
            ReleaseSignature.verify(
                keys.getPublic(),
                ModelRelease.newBuilder(published)
                    .setPublishedAt(published.getPublishedAt().plusMillis(1))
                    .build()))
        .isFalse();
    assertThat(
            ReleaseSignature.verify(
                keys.getPublic(), ModelRelease.newBuilder(published).setPublishedAt(null).build()))
        .isFalse();
  }

  @Test
  void shouldFailClearlyWhenAKeyIsNotBase64Ed25519() {
    assertThatThrownBy(() -> ReleaseSignature.publicKey("not a key"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Ed25519 public key");
  }

  @Test
  void shouldParseOnlyItsOwnVersionsChunkKeys() {
    assertThat(
            ArtifactChunkFormat.index(
                "m-q1-20261125000000-abcdef01/7", "m-q1-20261125000000-abcdef01"))
        .hasValue(7);
    assertThat(
            ArtifactChunkFormat.index(
                "m-q1-20261125000000-abcdef01/7", "m-q1-20261125000000-abcdef0"))
        .isEmpty();
    assertThat(ArtifactChunkFormat.index("v/x", "v")).isEmpty();
    assertThat(ArtifactChunkFormat.index("v/", "v")).isEmpty();
  }
}
