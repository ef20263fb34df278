package io.latentstream.schemas.files;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The one recursive delete of the project: data directories of the demo and the benchmark, staging
 * directories of model installs, trainer run directories. Symbolic links are deleted, never
 * followed; hard links are ordinary files (deleting one leaves the other names of the file intact).
 * Stateless.
 */
public final class FileTrees {

  private FileTrees() {}

  /**
   * Deletes {@code dir} and everything below it; nothing when it does not exist. A file that
   * vanishes meanwhile (a state store closing) is not an error.
   */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /**
   * {@link #deleteTree} for clean-ups that must not fail the caller.
   *
   * @return whether {@code dir} is gone
   */
  public static boolean deleteQuietly(Path dir) {
    try {
      deleteTree(dir);
    } catch (IOException e) {
      // reported through the return value; the caller logs what it was cleaning up
    }
    return !Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
  }
}
