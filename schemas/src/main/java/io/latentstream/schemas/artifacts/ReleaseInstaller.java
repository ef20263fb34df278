package io.latentstream.schemas.artifacts;

import io.latentstream.schemas.ArtifactChunks;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.files.FileTrees;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one install path of a released model package into a models directory, used by the streams
 * instances and the trainer alike (docs/model-artifacts.md, "Installing a release"): the release
 * must be well-formed and pass the signature policy ({@link #verify}); the archive is fetched
 * ({@link ArtifactFetcher}), unpacked under {@code <models>/.incoming/} ({@link PackageArchive})
 * and moved into {@code <models>/<version>} in one rename; the signed release record is kept in
 * {@code <models>/.releases/<version>.avro}, so that every later load of that directory checks the
 * signature and the archive's sha256 again ({@link #verifyInstalled}) instead of trusting whatever
 * the directory holds by then.
 *
 * <p>Signature policy: a release is trusted when its Ed25519 signature verifies against the
 * configured public key. Without a key, or for an unsigned release, it is trusted only when
 * unsigned releases are allowed explicitly (a local demo); a signed release is never accepted
 * unchecked.
 *
 * <p>Thread-safe for installs of different versions; two installs of one version at once leave one
 * of the two copies (the rename is atomic). Holds no resources.
 */
public final class ReleaseInstaller {
  private static final Logger LOG = LoggerFactory.getLogger(ReleaseInstaller.class);

  /**
   * Where archives are fetched and unpacked before the rename; leftovers of a killed process are
   * removed.
   */
  public static final String INCOMING = ".incoming";

  /** Where the signed release record of each installed package is kept. */
  public static final String RELEASES = ".releases";

  private static final Pattern VERSION = Pattern.compile("[a-z0-9][a-z0-9-]*-\\d{14}-[0-9a-f]{8}");

  private final Path modelsDir;
  private final PublicKey publicKey;
  private final boolean allowUnsigned;
  private final long maxArchiveBytes;

  /**
   * @param modelsDir the models directory packages are installed into
   * @param publicKey the publisher's key, or null when none is configured
   * @param allowUnsigned whether releases that cannot be verified (unsigned, or no key) are
   *     accepted anyway
   * @param maxArchiveBytes largest archive fetched
   */
  public ReleaseInstaller(
      Path modelsDir, PublicKey publicKey, boolean allowUnsigned, long maxArchiveBytes) {
    this.modelsDir = modelsDir;
    this.publicKey = publicKey;
    this.allowUnsigned = allowUnsigned;
    this.maxArchiveBytes = maxArchiveBytes;
  }

  /**
   * An installed package: its directory, and whether this call fetched it (false: it was there
   * already).
   */
  public record Installed(Path dir, boolean fetched) {}

  public Path modelsDir() {
    return modelsDir;
  }

  /**
   * Checks that a release is well-formed and passes the signature policy.
   *
   * @throws ArtifactException INVALID_RELEASE, MISSING_SIGNATURE or BAD_SIGNATURE
   */
  public void verify(ModelRelease release) {
    String version = release.getVersion();
    if (!VERSION.matcher(version).matches() || !version.startsWith(release.getModelName() + "-")) {
      throw new ArtifactException(
          ArtifactProblem.INVALID_RELEASE,
          "version '"
              + version
              + "' is not <name>-<yyyyMMddHHmmss>-<digest:8> of model "
              + release.getModelName());
    }
    if (!(release.getLocation() instanceof ArtifactChunks)) {
      throw new ArtifactException(
          ArtifactProblem.INVALID_RELEASE,
          "location "
              + release.getLocation()
              + " is not supported; packages must be published as chunks on Kafka");
    }
    ByteBuffer sig = release.getSignature();
    boolean signed = sig != null && sig.hasRemaining();
    if (publicKey != null && signed) {
      if (!ReleaseSignature.verify(publicKey, release)) {
        throw new ArtifactException(
            ArtifactProblem.BAD_SIGNATURE,
            "Ed25519 signature of release "
                + version
                + " does not verify against the configured public key");
      }
      return;
    }
    if (allowUnsigned) {
      LOG.warn(
          "accepting release {} without checking a signature ({}; unsigned releases are allowed)",
          version,
          signed ? "no public key configured" : "it is not signed");
      return;
    }
    if (!signed) {
      throw new ArtifactException(
          ArtifactProblem.MISSING_SIGNATURE, "release " + version + " is not signed");
    }
    throw new ArtifactException(
        ArtifactProblem.BAD_SIGNATURE,
        "no public key configured to verify the signature of " + version);
  }

  /**
   * Installs a release into the models directory (or checks the copy already there) after {@link
   * #verify}.
   *
   * @param artifacts string keys, byte-array values, read_committed; driven by this call, not
   *     closed
   * @throws ArtifactException for a release that cannot be trusted or fetched; {@link
   *     ArtifactProblem#FETCH_FAILED} is the one problem that may go away when tried again (the
   *     broker or the disk)
   */
  public Installed install(
      ModelRelease release, Consumer<String, byte[]> artifacts, Duration timeout) {
    verify(release);
    String version = release.getVersion();
    Path target = modelsDir.resolve(version);
    boolean fetched = false;
    if (Files.isDirectory(target)) {
      checkCopy(target, release.getSha256());
    } else {
      fetched = fetchAndUnpack(release, artifacts, timeout, target);
    }
    try {
      Path record = recordOf(version);
      Files.createDirectories(record.getParent());
      Path tmp = record.resolveSibling(record.getFileName() + "." + UUID.randomUUID() + ".tmp");
      ByteBuffer bytes = release.toByteBuffer();
      byte[] out = new byte[bytes.remaining()];
      bytes.get(out);
      Files.write(tmp, out);
      move(tmp, record, true);
    } catch (IOException e) {
      if (fetched) {
        remove(version);
      }
      throw new ArtifactException(
          ArtifactProblem.FETCH_FAILED,
          "cannot keep the release record of " + version + " in " + modelsDir + ": " + e,
          e);
    }
    return new Installed(target, fetched);
  }

  /**
   * The check made before every load of a package directory: when it was installed from a release,
   * the stored release must still pass {@link #verify} and the directory must still pack to the
   * archive it announces. A directory without a stored release is a bundled package, part of the
   * installation like the binaries.
   *
   * @return the stored release, empty for a bundled package
   * @throws ArtifactException BAD_SIGNATURE, MISSING_SIGNATURE, INVALID_RELEASE (an unreadable
   *     record or one of another version) or SHA256_MISMATCH
   */
  public Optional<ModelRelease> verifyInstalled(Path dir) {
    String version = dir.getFileName().toString();
    Optional<ModelRelease> stored = storedRelease(version);
    if (stored.isEmpty()) {
      return stored;
    }
    ModelRelease release = stored.get();
    if (!release.getVersion().equals(version)) {
      throw new ArtifactException(
          ArtifactProblem.INVALID_RELEASE,
          "stored release of " + version + " is " + release.getVersion());
    }
    verify(release);
    checkCopy(dir, release.getSha256());
    return stored;
  }

  /**
   * The release record kept for an installed version, if any.
   *
   * @throws ArtifactException INVALID_RELEASE when the record is there but unreadable
   */
  public Optional<ModelRelease> storedRelease(String version) {
    Path record = recordOf(version);
    try {
      return Optional.of(ModelRelease.fromByteBuffer(ByteBuffer.wrap(Files.readAllBytes(record))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      throw new ArtifactException(
          ArtifactProblem.INVALID_RELEASE, "unreadable release record " + record + ": " + e, e);
    }
  }

  /**
   * The stored releases of every installed package that still pass {@link #verify} (the signature
   * policy), e.g. to know the newest release this models directory has seen.
   */
  public List<ModelRelease> trustedStoredReleases() {
    List<ModelRelease> out = new ArrayList<>();
    Path dir = modelsDir.resolve(RELEASES);
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.avro")) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        try {
          storedRelease(name.substring(0, name.length() - ".avro".length()))
              .ifPresent(
                  r -> {
                    verify(r);
                    out.add(r);
                  });
        } catch (ArtifactException e) {
          LOG.warn("ignoring stored release {}: {}", f, e.getMessage());
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list {}: {}", dir, e.toString());
    }
    return out;
  }

  /** Whether a release passes {@link #verify}. */
  public boolean isTrusted(ModelRelease release) {
    try {
      verify(release);
      return true;
    } catch (ArtifactException e) {
      return false;
    }
  }

  /**
   * Removes an installed version (its directory and release record), e.g. one that failed to load.
   */
  public void remove(String version) {
    if (!FileTrees.deleteQuietly(modelsDir.resolve(version))
        | !FileTrees.deleteQuietly(recordOf(version))) {
      LOG.warn("cannot remove {} from {} completely", version, modelsDir);
    }
  }

  /**
   * Removes what installs interrupted by a kill left under {@code .incoming/}: entries not modified
   * for {@code olderThan}, so that an install in progress in another process sharing the directory
   * is left alone.
   */
  public void removeLeftovers(Duration olderThan) {
    Path incoming = modelsDir.resolve(INCOMING);
    if (!Files.isDirectory(incoming)) {
      return;
    }
    Instant cutoff = Instant.now().minus(olderThan);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(incoming)) {
      for (Path e : entries) {
        if (Files.getLastModifiedTime(e).toInstant().isBefore(cutoff)) {
          if (FileTrees.deleteQuietly(e)) {
            LOG.info("removed {}, left by an interrupted install", e);
          } else {
            LOG.warn("cannot remove {}, left by an interrupted install", e);
          }
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot clean {}: {}", incoming, e.toString());
    }
  }

  private Path recordOf(String version) {
    return modelsDir.resolve(RELEASES).resolve(version + ".avro");
  }

  /** A package already in the models directory is used only if it is exactly the released one. */
  private static void checkCopy(Path dir, String sha256) {
    String local;
    try {
      local = ArtifactChunkFormat.sha256(PackageArchive.pack(dir));
    } catch (IOException e) {
      throw new ArtifactException(
          ArtifactProblem.SHA256_MISMATCH, "cannot read package " + dir + ": " + e, e);
    }
    if (!local.equalsIgnoreCase(sha256)) {
      throw new ArtifactException(
          ArtifactProblem.SHA256_MISMATCH,
          "package "
              + dir
              + " differs from its release (archive sha256 "
              + local
              + ", the release says "
              + sha256
              + ")");
    }
  }

  /**
   * Fetches the archive to a file under {@code .incoming/} (never whole in memory), unpacks it
   * there, then moves the directory into place in one step.
   *
   * @return false when another process installed the version meanwhile
   */
  private boolean fetchAndUnpack(
      ModelRelease release, Consumer<String, byte[]> artifacts, Duration timeout, Path target) {
    String version = release.getVersion();
    Path staging = modelsDir.resolve(INCOMING).resolve(UUID.randomUUID().toString());
    Path archive = staging.resolve(version + ".zip");
    Path unpacked = staging.resolve(version);
    try {
      Files.createDirectories(staging);
      new ArtifactFetcher(artifacts, maxArchiveBytes)
          .fetchTo(
              version,
              (ArtifactChunks) release.getLocation(),
              release.getSha256(),
              archive,
              timeout);
      PackageArchive.unpack(archive, unpacked, maxArchiveBytes);
      Files.delete(archive);
      move(unpacked, target, false);
      LOG.info("installed {} into {}", version, target);
      return true;
    } catch (ArtifactException e) {
      throw e;
    } catch (IOException e) {
      if (Files.isDirectory(target) && !(e instanceof NoSuchFileException)) {
        LOG.info(
            "{} appeared meanwhile; checking that copy",
            target); // another process sharing the directory
        checkCopy(target, release.getSha256());
        return false;
      }
      throw new ArtifactException(
          ArtifactProblem.FETCH_FAILED,
          "cannot unpack " + version + " into " + modelsDir + ": " + e,
          e);
    } finally {
      FileTrees.deleteQuietly(staging);
    }
  }

  private static void move(Path from, Path to, boolean replace) throws IOException {
    try {
      if (replace) {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (AtomicMoveNotSupportedException e) {
      if (replace) {
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.move(from, to);
      }
    }
  }
}
