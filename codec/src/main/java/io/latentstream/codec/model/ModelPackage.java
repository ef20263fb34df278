package io.latentstream.codec.model;

import io.latentstream.codec.entropy.EntropyModel;
import io.latentstream.codec.model.ModelPackageException.IntegrityException;
import io.latentstream.codec.model.ModelPackageException.InvalidManifestException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A verified model package on disk (docs/model-package.md): manifest, entropy model, and the paths
 * of the two SavedModels. {@link #open} checks the manifest format, the sha256 of every listed
 * file, that no other file is present, and that the directory name ends with the package digest; it
 * does not start TensorFlow ({@link CodecModel#load} does). Immutable and thread-safe.
 *
 * @param directory the package directory
 * @param manifest the parsed manifest
 * @param entropy the parsed {@code entropy.json}
 */
public record ModelPackage(Path directory, ModelManifest manifest, EntropyModel entropy) {

  public Path encoderDir() {
    return directory.resolve("encoder");
  }

  public Path decoderDir() {
    return directory.resolve("decoder");
  }

  public String version() {
    return manifest.version();
  }

  /**
   * Opens and verifies a package directory.
   *
   * @throws ModelPackageException (a subclass) naming the file and the reason
   */
  public static ModelPackage open(Path directory) {
    Path dir = directory.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new IntegrityException(dir, "not a model package directory");
    }
    Path manifestFile = dir.resolve(ModelManifest.FILE_NAME);
    if (!Files.isRegularFile(manifestFile)) {
      throw new InvalidManifestException(manifestFile, "missing");
    }
    ModelManifest manifest = ModelManifest.read(manifestFile);
    verifyFiles(dir, manifest.files());
    String digest = PackageDigest.packageDigest(manifest.files());
    String dirName = dir.getFileName().toString();
    if (!dirName.endsWith("-" + digest.substring(0, 8))) {
      throw new IntegrityException(
          dir,
          "directory name does not end with the package digest prefix " + digest.substring(0, 8));
    }
    if (!dirName.equals(manifest.version())) {
      throw new IntegrityException(
          dir, "directory name differs from manifest version " + manifest.version());
    }
    Path entropyFile = dir.resolve("entropy.json");
    EntropyModel entropy;
    try (InputStream in = Files.newInputStream(entropyFile)) {
      entropy = EntropyModel.read(in);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidManifestException(entropyFile, e.getMessage(), e);
    }
    if (entropy.channels() != manifest.latentChannels()) {
      throw new InvalidManifestException(
          entropyFile,
          entropy.channels()
              + " channels, manifest says latentChannels="
              + manifest.latentChannels());
    }
    if (entropy.precision() != manifest.cdfPrecision()) {
      throw new InvalidManifestException(
          entropyFile,
          "precision "
              + entropy.precision()
              + ", manifest says cdfPrecision="
              + manifest.cdfPrecision());
    }
    for (String sub : new String[] {"encoder/saved_model.pb", "decoder/saved_model.pb"}) {
      if (!manifest.files().containsKey(sub)) {
        throw new IntegrityException(
            dir.resolve(sub), "SavedModel graph not listed in manifest files");
      }
    }
    return new ModelPackage(dir, manifest, entropy);
  }

  private static void verifyFiles(Path dir, Map<String, String> files) {
    Set<String> present = new TreeSet<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(p -> !p.equals(dir))
          .forEach(
              p -> {
                if (Files.isSymbolicLink(p)) {
                  throw new IntegrityException(p, "symbolic links are not allowed in a package");
                }
                if (Files.isRegularFile(p)) {
                  present.add(dir.relativize(p).toString().replace('\\', '/'));
                }
              });
    } catch (IOException e) {
      throw new IntegrityException(dir, "cannot list package: " + e.getMessage());
    } catch (UncheckedIOException e) {
      throw new IntegrityException(dir, "cannot list package: " + e.getCause().getMessage());
    }
    present.remove(ModelManifest.FILE_NAME);
    for (String p : present) {
      if (!files.containsKey(p)) {
        throw new IntegrityException(dir.resolve(p), "extra file not listed in manifest");
      }
    }
    for (Map.Entry<String, String> e : files.entrySet()) {
      Path file = dir.resolve(e.getKey());
      if (!present.contains(e.getKey())) {
        throw new IntegrityException(file, "listed in manifest but missing");
      }
      String actual;
      try {
        actual = PackageDigest.sha256(file);
      } catch (IOException ex) {
        throw new IntegrityException(file, "unreadable: " + ex.getMessage());
      }
      if (!actual.equals(e.getValue())) {
        throw new IntegrityException(
            file, "sha256 mismatch: manifest " + e.getValue() + ", file " + actual);
      }
    }
  }
}
