package io.latentstream.streams.model;

import io.latentstream.codec.model.FixtureModels;
import io.latentstream.schemas.ArtifactChunks;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.SampleRecords;
import io.latentstream.schemas.artifacts.ReleaseSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.PrivateKey;

/**
 * Model packages for the streams tests: codec's fixture {@code default-q2} as the model a
 * deployment starts with, and a second {@code default-q2} version (another quantization scale) to
 * release while it runs.
 */
public final class ModelFixtures {
  public static final String MODEL_NAME = "default-q2";
  private static Path released;

  private ModelFixtures() {}

  /** The package every instance starts with (codec's fixture default-q2). */
  public static Path initialPackage() {
    return FixtureModels.level(2);
  }

  /** A newer default-q2 package (finer quantization than the initial one), built once per JVM. */
  public static synchronized Path releasedPackage() {
    if (released == null) {
      try {
        released =
            FixtureModels.build(
                Paths.get("target", "release-packages").toAbsolutePath(), MODEL_NAME, 2, 40f);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return released;
  }

  /** A models directory holding a copy of the initial package. */
  public static Path modelsDirWithInitial(Path dir) {
    FixtureModels.copyPackage(initialPackage(), dir);
    return dir;
  }

  /**
   * A release record of {@link #MODEL_NAME} with placeholder evaluation data, signed by {@code
   * signer} (or not).
   */
  public static ModelRelease release(
      String version, String sha256, ArtifactChunks location, PrivateKey signer) {
    ModelRelease release =
        SampleRecords.releaseToPublish()
            .setModelName(MODEL_NAME)
            .setVersion(version)
            .setSha256(sha256)
            .setLocation(location)
            .build();
    if (signer != null) {
      release.setSignature(ByteBuffer.wrap(ReleaseSignature.sign(signer, release)));
    }
    return release;
  }
}
