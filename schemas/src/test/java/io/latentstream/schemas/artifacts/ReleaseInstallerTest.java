package io.latentstream.schemas.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.ModelStatus;
import io.latentstream.schemas.SampleRecords;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one install path: its signature policy, and the check of an installed package before each
 * later load. The fetch itself is covered against the real broker (ReleaseWatcherIT); here the
 * package is already in the models directory, so no consumer is needed.
 */
class ReleaseInstallerTest {
  private static final long MAX = 1 << 20;

  @TempDir Path models;

  private final KeyPair keys = ReleaseSignature.generateKeyPair();
  private String version;
  private Path pkg;
  private ModelRelease release;

  @BeforeEach
  void setUp() throws IOException {
    ModelRelease sample = SampleRecords.modelRelease();
    version = sample.getVersion();
    pkg = models.resolve(version);
    Files.createDirectories(pkg.resolve("encoder"));
    Files.writeString(pkg.resolve("manifest.json"), "{\"name\": \"default-q3\"}");
    Files.write(pkg.resolve("encoder").resolve("saved_model.pb"), new byte[] {1, 2, 3});
    release =
        signed(
            ModelRelease.newBuilder(sample)
                .setSha256(ArtifactChunkFormat.sha256(PackageArchive.pack(pkg)))
                .build(),
            keys);
  }

  private static ModelRelease signed(ModelRelease r, KeyPair by) {
    ModelRelease copy = ModelRelease.newBuilder(r).setSignature(null).build();
    copy.setSignature(ByteBuffer.wrap(ReleaseSignature.sign(by.getPrivate(), copy)));
    return copy;
  }

  @Test
  void shouldRefuseASignedReleaseWhenNoKeyIsConfiguredUnlessUnsignedReleasesAreAllowed() {
    assertThatThrownBy(() -> new ReleaseInstaller(models, null, false, MAX).verify(release))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.problem()).isEqualTo(ArtifactProblem.BAD_SIGNATURE));
    new ReleaseInstaller(models, null, true, MAX).verify(release);
  }

  @Test
  void shouldRefuseUnsignedAndForeignReleasesWithAKey() {
    ReleaseInstaller installer = new ReleaseInstaller(models, keys.getPublic(), false, MAX);
    assertThatThrownBy(
            () -> installer.verify(ModelRelease.newBuilder(release).setSignature(null).build()))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.problem()).isEqualTo(ArtifactProblem.MISSING_SIGNATURE));
    assertThatThrownBy(() -> installer.verify(signed(release, ReleaseSignature.generateKeyPair())))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.problem()).isEqualTo(ArtifactProblem.BAD_SIGNATURE));
    installer.verify(release);
  }

  @Test
  void shouldUseACopyAlreadyInTheModelsDirectoryOnlyWhenItIsTheReleasedOne() throws IOException {
    ReleaseInstaller installer = new ReleaseInstaller(models, keys.getPublic(), false, MAX);
    assertThat(installer.install(release, null, Duration.ofSeconds(1)))
        .isEqualTo(new ReleaseInstaller.Installed(pkg, false));

    Files.write(pkg.resolve("encoder").resolve("saved_model.pb"), new byte[] {6, 6, 6});
    assertThatThrownBy(() -> installer.install(release, null, Duration.ofSeconds(1)))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.problem()).isEqualTo(ArtifactProblem.SHA256_MISMATCH));
  }

  @Test
  void shouldCheckAnInstalledPackageAgainstItsSignedReleaseAtEveryLoad() throws IOException {
    ReleaseInstaller installer = new ReleaseInstaller(models, keys.getPublic(), false, MAX);
    installer.install(release, null, Duration.ofSeconds(1));
    assertThat(installer.verifyInstalled(pkg)).contains(release);

    // files changed after the install: refused at the next load, not trusted because they are in
    // place
    Files.write(pkg.resolve("encoder").resolve("saved_model.pb"), new byte[] {6, 6, 6});
    assertThatThrownBy(() -> installer.verifyInstalled(pkg))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.problem()).isEqualTo(ArtifactProblem.SHA256_MISMATCH));
    Files.write(pkg.resolve("encoder").resolve("saved_model.pb"), new byte[] {1, 2, 3});

    // the stored release replaced by one signed by someone else
    ByteBuffer forged =
        signed(
                ModelRelease.newBuilder(release).setStatus(ModelStatus.PROMOTED).build(),
                ReleaseSignature.generateKeyPair())
            .toByteBuffer();
    byte[] bytes = new byte[forged.remaining()];
    forged.get(bytes);
    Files.write(models.resolve(ReleaseInstaller.RELEASES).resolve(version + ".avro"), bytes);
    assertThatThrownBy(() -> installer.verifyInstalled(pkg))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.problem()).isEqualTo(ArtifactProblem.BAD_SIGNATURE));

    // a key that no longer trusts the publisher refuses its packages too
    ReleaseInstaller rotated =
        new ReleaseInstaller(models, ReleaseSignature.generateKeyPair().getPublic(), false, MAX);
    assertThatThrownBy(() -> rotated.verifyInstalled(pkg)).isInstanceOf(ArtifactException.class);
  }

  @Test
  void shouldTreatAPackageWithoutAStoredReleaseAsBundled() {
    assertThat(new ReleaseInstaller(models, keys.getPublic(), false, MAX).verifyInstalled(pkg))
        .isEmpty();
  }

  @Test
  void shouldRemoveWhatAKilledInstallLeftBehindButNotAnInstallInProgress() throws IOException {
    Path incoming = models.resolve(ReleaseInstaller.INCOMING);
    Path leftover = Files.createDirectories(incoming.resolve("0c4f").resolve(version));
    Files.writeString(leftover.resolve("manifest.json"), "{}");
    Files.setLastModifiedTime(
        incoming.resolve("0c4f"), FileTime.from(Instant.now().minus(Duration.ofHours(1))));
    Path live = Files.createDirectories(incoming.resolve("9a7e").resolve(version));

    new ReleaseInstaller(models, keys.getPublic(), false, MAX)
        .removeLeftovers(Duration.ofMinutes(15));

    assertThat(incoming.resolve("0c4f")).doesNotExist();
    assertThat(live).isDirectory();
    assertThat(pkg).isDirectory();
  }
}
