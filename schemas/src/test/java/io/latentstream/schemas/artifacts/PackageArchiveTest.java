package io.latentstream.schemas.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PackageArchiveTest {
  @TempDir Path tmp;

  private Path samplePackage(String name) throws IOException {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir.resolve("encoder/variables"));
    Files.writeString(dir.resolve("manifest.json"), "{\"name\": \"x\"}");
    Files.write(dir.resolve("encoder/saved_model.pb"), new byte[] {1, 2, 3, 0, 5});
    Files.write(dir.resolve("encoder/variables/variables.data-00000-of-00001"), new byte[70_000]);
    return dir;
  }

  @Test
  void shouldGiveTheSameBytesWhenTheSameFilesAreArchivedAtAnotherTime() throws IOException {
    Path a = samplePackage("a");
    Path b = samplePackage("b");
    Files.setLastModifiedTime(b.resolve("manifest.json"), FileTime.fromMillis(0));

    assertThat(PackageArchive.pack(a)).isEqualTo(PackageArchive.pack(b));
  }

  @Test
  void shouldRestoreEveryFileWhenUnpacked() throws IOException {
    Path pkg = samplePackage("pkg");
    Path out = tmp.resolve("out/pkg");

    PackageArchive.unpack(PackageArchive.pack(pkg), out, 1 << 20);

    for (String f :
        new String[] {
          "manifest.json",
          "encoder/saved_model.pb",
          "encoder/variables/variables.data-00000-of-00001"
        }) {
      assertThat(Files.readAllBytes(out.resolve(f))).isEqualTo(Files.readAllBytes(pkg.resolve(f)));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"../evil", "a/../../evil", "/etc/evil", "C:/evil", "a\\..\\evil", "./a", "a//b"})
  void shouldRejectWhenAnEntryCouldLandOutsideTheTarget(String name) throws IOException {
    byte[] zip = zip(name, "x");
    Path out = tmp.resolve("out/pkg");

    assertThatThrownBy(() -> PackageArchive.unpack(zip, out, 1 << 20))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.problem()).isEqualTo(ArtifactProblem.UNSAFE_ARCHIVE));
    assertThat(tmp.resolve("evil")).doesNotExist();
    assertThat(tmp.resolve("out/evil")).doesNotExist();
  }

  @Test
  void shouldRejectWhenTheArchiveUnpacksToMoreThanTheLimit() throws IOException {
    byte[] zip = zip("big", "y".repeat(10_000));

    assertThatThrownBy(() -> PackageArchive.unpack(zip, tmp.resolve("out"), 1_000))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.problem()).isEqualTo(ArtifactProblem.UNSAFE_ARCHIVE));
  }

  @Test
  void shouldRejectWhenTheBytesAreNotAnArchive() {
    byte[] junk = new byte[100];
    Arrays.fill(junk, (byte) 7);

    assertThatThrownBy(() -> PackageArchive.unpack(junk, tmp.resolve("out"), 1_000))
        .isInstanceOf(ArtifactException.class);
  }

  private static byte[] zip(String name, String content) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(name));
      zip.write(content.getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    return out.toByteArray();
  }
}
