package io.latentstream.codec.model;

import io.latentstream.codec.CodecException;
import java.nio.file.Path;

/**
 * A model package cannot be used. Subclasses say why; every instance names the offending file and
 * the reason.
 */
public class ModelPackageException extends CodecException {
  private final Path file;

  public ModelPackageException(Path file, String reason) {
    super(file + ": " + reason);
    this.file = file;
  }

  public ModelPackageException(Path file, String reason, Throwable cause) {
    super(file + ": " + reason, cause);
    this.file = file;
  }

  /** The file (or directory) at fault. */
  public Path file() {
    return file;
  }

  /**
   * {@code manifest.json} or {@code entropy.json} is missing, unparsable, or breaks the contract.
   */
  public static class InvalidManifestException extends ModelPackageException {
    public InvalidManifestException(Path file, String reason) {
      super(file, reason);
    }

    public InvalidManifestException(Path file, String reason, Throwable cause) {
      super(file, reason, cause);
    }
  }

  /**
   * A file is missing, extra, or has the wrong sha256; or the directory name does not end with the
   * digest.
   */
  public static class IntegrityException extends ModelPackageException {
    public IntegrityException(Path file, String reason) {
      super(file, reason);
    }
  }

  /** A SavedModel does not load, or fails the warm-up frame. */
  public static class ModelLoadException extends ModelPackageException {
    public ModelLoadException(Path file, String reason, Throwable cause) {
      super(file, reason, cause);
    }
  }
}
