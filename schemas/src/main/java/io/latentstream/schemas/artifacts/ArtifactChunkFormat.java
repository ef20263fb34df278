package io.latentstream.schemas.artifacts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.OptionalInt;
import org.apache.kafka.common.utils.Utils;

/**
 * How a package archive lies on the artifacts topic (docs/model-artifacts.md): records keyed {@code
 * <version>/<index>} (index 0 .. count-1 in decimal, no padding), the value holding bytes {@code
 * [index * chunkSize, ...)} of the archive, all chunks of one version in one partition ({@link
 * #partition(String, int)}), so a reader scans that partition only. Stateless and thread-safe.
 */
public final class ArtifactChunkFormat {
  /** Default chunk size: half the 1 MiB default of the topic's {@code max.message.bytes}. */
  public static final int DEFAULT_CHUNK_BYTES = 512 * 1024;

  /** Header with the chunk count, decimal ASCII: lets a reader report what is missing. */
  public static final String HEADER_CHUNK_COUNT = "latentstream.chunk.count";

  /** Header with the archive's sha256 (lower-case hex). */
  public static final String HEADER_ARCHIVE_SHA256 = "latentstream.archive.sha256";

  private ArtifactChunkFormat() {}

  public static String key(String version, int index) {
    return version + "/" + index;
  }

  /**
   * The index of a chunk key of {@code version}, or empty when the key belongs to another version.
   */
  public static OptionalInt index(String key, String version) {
    if (key == null || !key.startsWith(version + "/")) {
      return OptionalInt.empty();
    }
    String rest = key.substring(version.length() + 1);
    if (rest.isEmpty() || rest.length() > 9 || !rest.chars().allMatch(Character::isDigit)) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(Integer.parseInt(rest));
  }

  /** The partition all chunks of a version go to: Kafka's default hash of the version string. */
  public static int partition(String version, int partitions) {
    return Utils.toPositive(Utils.murmur2(version.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** Lower-case hex sha256. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is mandatory on every JVM", e);
    }
  }
}
