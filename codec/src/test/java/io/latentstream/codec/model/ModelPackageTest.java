package io.latentstream.codec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.codec.model.ModelPackageException.IntegrityException;
import io.latentstream.codec.model.ModelPackageException.InvalidManifestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelPackageTest {
  @TempDir Path tmp;

  private Path copyOfFixture() {
    return FixtureModels.copyPackage(FixtureModels.level(1), tmp);
  }

  @Test
  void shouldOpenWhenPackageIsIntact() throws IOException {
    ModelPackage pkg = ModelPackage.open(copyOfFixture());
    assertThat(pkg.manifest().latentChannels()).isEqualTo(FixtureModels.M);
    assertThat(pkg.entropy().channels()).isEqualTo(FixtureModels.M);
    assertThat(pkg.version()).startsWith("default-q1-");
  }

  @Test
  void shouldNameTheFileWhenItsHashDiffers() throws IOException {
    Path pkg = copyOfFixture();
    Files.writeString(pkg.resolve("entropy.json"), " ", StandardOpenOption.APPEND);
    assertThatThrownBy(() -> ModelPackage.open(pkg))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("entropy.json")
        .hasMessageContaining("sha256 mismatch");
  }

  @Test
  void shouldRejectExtraFilesWhenNotListedInManifest() throws IOException {
    Path pkg = copyOfFixture();
    Files.writeString(pkg.resolve("encoder/notes.txt"), "hello");
    assertThatThrownBy(() -> ModelPackage.open(pkg))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("notes.txt")
        .hasMessageContaining("extra file");
  }

  @Test
  void shouldRejectMissingFilesWhenListedInManifest() throws IOException {
    Path pkg = copyOfFixture();
    Files.delete(pkg.resolve("decoder/saved_model.pb"));
    assertThatThrownBy(() -> ModelPackage.open(pkg))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("saved_model.pb")
        .hasMessageContaining("missing");
  }

  @Test
  void shouldRejectDirectoryWhenNameDoesNotEndWithDigest() throws IOException {
    Path pkg = copyOfFixture();
    Path renamed = Files.move(pkg, tmp.resolve("default-q1-20261125000000-00000000"));
    assertThatThrownBy(() -> ModelPackage.open(renamed))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("digest");
  }

  @Test
  void shouldRejectManifestWhenFormatIsUnknown() throws IOException {
    Path pkg = copyOfFixture();
    Path manifest = pkg.resolve("manifest.json");
    Files.writeString(
        manifest, Files.readString(manifest).replace("latentstream-model/1", "other/2"));
    assertThatThrownBy(() -> ModelPackage.open(pkg))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("manifest.json")
        .hasMessageContaining("format");
  }

  @Test
  void shouldRejectManifestWhenTensorKeysAreNotTheContractOnes() throws IOException {
    Path pkg = copyOfFixture();
    Path manifest = pkg.resolve("manifest.json");
    Files.writeString(manifest, Files.readString(manifest).replace("\"y_hat\"", "\"y\""));
    assertThatThrownBy(() -> ModelPackage.open(pkg))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("y_hat");
  }

  @Test
  void shouldFailWithModelLoadExceptionWhenSavedModelIsBroken() throws IOException {
    // A package whose hashes are right but whose encoder graph is garbage: verification passes,
    // loading fails.
    Path parent = tmp.resolve("broken");
    Path pkg = FixtureModels.build(parent, "broken", 1, 4f);
    Path staging = tmp.resolve("staging");
    Files.move(pkg, staging);
    Files.write(staging.resolve("encoder/saved_model.pb"), new byte[] {1, 2, 3});
    Files.delete(staging.resolve("manifest.json"));
    java.util.Map<String, String> files = new java.util.TreeMap<>();
    try (Stream<Path> walk = Files.walk(staging)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        files.put(staging.relativize(p).toString(), PackageDigest.sha256(p));
      }
    }
    String version = "broken-20261125000000-" + PackageDigest.packageDigest(files).substring(0, 8);
    FixtureModels.writeManifest(staging.resolve("manifest.json"), "broken", version, 1, 4f, files);
    Path target = Files.move(staging, parent.resolve(version));
    assertThatThrownBy(() -> CodecModel.load(target))
        .isInstanceOf(ModelPackageException.ModelLoadException.class)
        .hasMessageContaining("encoder");
    try (Stream<Path> walk = Files.walk(parent)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
