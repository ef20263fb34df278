package io.latentstream.schemas.artifacts;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The archive form of a model package directory (docs/model-artifacts.md): a ZIP whose entries are
 * the package's regular files, paths relative to the package directory with '/' separators, sorted,
 * stored uncompressed, with a fixed timestamp and no directory entries. The same directory
 * therefore always gives the same bytes, and so the same sha256.
 *
 * <p>{@link #unpack} is safe against hostile archives: every entry must stay inside the target
 * directory (no absolute paths, no {@code ..}, no backslashes or drive letters), names are unique,
 * and the total size and entry count are capped. Stateless and thread-safe.
 */
public final class PackageArchive {
  /** Entry timestamp: the earliest a ZIP (DOS) time can hold, independent of the time zone. */
  private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

  private static final int MAX_ENTRIES = 10_000;

  private PackageArchive() {}

  /**
   * Archives the regular files under {@code packageDir}.
   *
   * @throws IOException when a file cannot be read, or the directory holds a symbolic link
   */
  public static byte[] pack(Path packageDir) throws IOException {
    Path root = packageDir.toAbsolutePath().normalize();
    List<String> names = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isSymbolicLink(p)) {
          throw new IOException("symbolic link in package: " + p);
        }
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          names.add(root.relativize(p).toString().replace('\\', '/'));
        }
      }
    }
    names.sort(null);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.setMethod(ZipOutputStream.STORED);
      for (String name : names) {
        byte[] content = Files.readAllBytes(root.resolve(name));
        CRC32 crc = new CRC32();
        crc.update(content);
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(content.length);
        e.setCompressedSize(content.length);
        e.setCrc(crc.getValue());
        e.setTimeLocal(FIXED_TIME);
        zip.putNextEntry(e);
        zip.write(content);
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  /**
   * Unpacks an archive into {@code target}, which must not exist yet (it is created).
   *
   * @param maxBytes the most bytes the unpacked files may take together
   * @throws ArtifactException ({@link ArtifactProblem#UNSAFE_ARCHIVE}) for a malformed or hostile
   *     archive
   * @throws IOException when writing fails
   */
  public static void unpack(byte[] archive, Path target, long maxBytes) throws IOException {
    unpack(new ByteArrayInputStream(archive), target, maxBytes);
  }

  /**
   * Unpacks an archive file into {@code target}, which must not exist yet (it is created), reading
   * it as a stream.
   *
   * @param maxBytes the most bytes the unpacked files may take together
   * @throws ArtifactException ({@link ArtifactProblem#UNSAFE_ARCHIVE}) for a malformed or hostile
   *     archive
   * @throws IOException when reading or writing fails
   */
  public static void unpack(Path archive, Path target, long maxBytes) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(archive))) {
      unpack(in, target, maxBytes);
    }
  }

  private static void unpack(InputStream archive, Path target, long maxBytes) throws IOException {
    Path root = target.toAbsolutePath().normalize();
    Files.createDirectories(root.getParent());
    Files.createDirectory(root);
    long total = 0;
    int entries = 0;
    byte[] buf = new byte[1 << 16];
    try (ZipInputStream zip = new ZipInputStream(archive)) {
      for (ZipEntry e; (e = nextEntry(zip)) != null; ) {
        if (++entries > MAX_ENTRIES) {
          throw unsafe("more than " + MAX_ENTRIES + " entries");
        }
        Path out = resolveInside(root, e.getName());
        if (e.isDirectory()) {
          Files.createDirectories(out);
          continue;
        }
        Files.createDirectories(out.getParent());
        try (OutputStream os = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW)) {
          for (int n; (n = read(zip, buf)) > 0; ) {
            total += n;
            if (total > maxBytes) {
              throw unsafe("unpacks to more than " + maxBytes + " bytes");
            }
            os.write(buf, 0, n);
          }
        } catch (FileAlreadyExistsException dup) {
          throw unsafe("duplicate entry " + e.getName());
        }
      }
    }
    if (entries == 0) {
      throw unsafe("archive has no entries");
    }
  }

  /**
   * Checks an entry name and returns where it lands; rejects anything that could leave {@code
   * root}.
   */
  static Path resolveInside(Path root, String name) {
    if (name.isEmpty()
        || name.startsWith("/")
        || name.contains("\\")
        || name.contains(":")
        || name.indexOf('\0') >= 0) {
      throw unsafe("entry name not allowed: '" + name + "'");
    }
    String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    for (String segment : trimmed.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw unsafe("entry name not allowed: '" + name + "'");
      }
    }
    Path out = root.resolve(trimmed).normalize();
    if (!out.startsWith(root) || out.equals(root)) {
      throw unsafe("entry escapes the package directory: '" + name + "'");
    }
    return out;
  }

  private static ZipEntry nextEntry(ZipInputStream zip) {
    try {
      return zip.getNextEntry();
    } catch (IOException | IllegalArgumentException e) {
      throw new ArtifactException(
          ArtifactProblem.UNSAFE_ARCHIVE, "malformed archive: " + e.getMessage(), e);
    }
  }

  private static int read(InputStream in, byte[] buf) {
    try {
      return in.read(buf);
    } catch (ZipException e) {
      throw new ArtifactException(
          ArtifactProblem.UNSAFE_ARCHIVE, "malformed archive: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ArtifactException(
          ArtifactProblem.UNSAFE_ARCHIVE, "unreadable archive: " + e.getMessage(), e);
    }
  }

  private static ArtifactException unsafe(String message) {
    return new ArtifactException(ArtifactProblem.UNSAFE_ARCHIVE, message);
  }
}
