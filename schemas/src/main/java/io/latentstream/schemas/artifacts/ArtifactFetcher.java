package io.latentstream.schemas.artifacts;

import io.latentstream.schemas.ArtifactChunks;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a package archive back from its chunks (docs/model-artifacts.md) into a file and checks it:
 * every chunk present, the announced total size, and the sha256. It reads the version's partition
 * from the beginning to its end (the last stable offset with {@code
 * isolation.level=read_committed}, which the consumer must use), and scans every partition if
 * chunks are missing there (the topic may have gained partitions since publishing).
 *
 * <p>Nothing is assembled in memory: each chunk goes to disk as it is read (a part file per index,
 * next to the archive file), reading stops as soon as the chunks held add up to more than the
 * release announces (the size the release's signature covers), and the parts are joined in order
 * into the archive file under a running sha256. The heap holds one poll's records at a time, the
 * disk at most the announced size twice.
 *
 * <p>Not thread-safe: it drives the consumer given to it, which the caller owns, configures
 * (byte-array values, string keys, read_committed, no group needed) and closes.
 */
public final class ArtifactFetcher {
  private final Consumer<String, byte[]> consumer;
  private final long maxBytes;

  /**
   * @param consumer string keys, byte-array values, read_committed
   * @param maxBytes largest archive accepted
   */
  public ArtifactFetcher(Consumer<String, byte[]> consumer, long maxBytes) {
    this.consumer = consumer;
    this.maxBytes = maxBytes;
  }

  /**
   * Fetches and verifies one archive into {@code archive}, a file that must not exist yet (its
   * directory must). On failure neither it nor any part file is left behind.
   *
   * @throws ArtifactException INCOMPLETE_CHUNKS, SHA256_MISMATCH, UNSAFE_ARCHIVE (larger than the
   *     limit or than the release announces) or FETCH_FAILED (the topic or the disk failed)
   */
  public void fetchTo(
      String version,
      ArtifactChunks location,
      String expectedSha256,
      Path archive,
      Duration timeout) {
    int count = location.getChunkCount();
    long total = location.getTotalSizeBytes();
    if (count < 1 || total < 0) {
      throw new ArtifactException(
          ArtifactProblem.INCOMPLETE_CHUNKS,
          "release announces " + count + " chunks of " + total + " bytes");
    }
    if (total > maxBytes) {
      throw new ArtifactException(
          ArtifactProblem.UNSAFE_ARCHIVE,
          "archive of " + total + " bytes exceeds the limit of " + maxBytes);
    }
    String topic = location.getTopic();
    long deadline = System.nanoTime() + timeout.toNanos();
    List<PartitionInfo> infos;
    try {
      infos = consumer.partitionsFor(topic, timeout);
    } catch (KafkaException e) {
      throw new ArtifactException(
          ArtifactProblem.FETCH_FAILED, "cannot read topic " + topic + ": " + e, e);
    }
    if (infos == null || infos.isEmpty()) {
      throw new ArtifactException(
          ArtifactProblem.FETCH_FAILED, "artifacts topic " + topic + " does not exist");
    }
    Path parts = archive.resolveSibling(archive.getFileName() + ".parts");
    boolean done = false;
    try {
      TopicPartition home =
          new TopicPartition(topic, ArtifactChunkFormat.partition(version, infos.size()));
      Map<Integer, Long> chunks = read(List.of(home), version, count, total, parts, deadline);
      if (chunks.size() < count && infos.size() > 1) {
        List<TopicPartition> all = new ArrayList<>();
        infos.forEach(i -> all.add(new TopicPartition(topic, i.partition())));
        chunks = read(all, version, count, total, parts, deadline);
      }
      if (chunks.size() < count) {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < count && missing.size() < 10; i++) {
          if (!chunks.containsKey(i)) {
            missing.add(i);
          }
        }
        throw new ArtifactException(
            ArtifactProblem.INCOMPLETE_CHUNKS,
            "found "
                + chunks.size()
                + " of "
                + count
                + " chunks of "
                + version
                + " on "
                + topic
                + "; missing e.g. "
                + missing);
      }
      long sum = chunks.values().stream().mapToLong(Long::longValue).sum();
      if (sum != total) {
        throw new ArtifactException(
            ArtifactProblem.INCOMPLETE_CHUNKS,
            "chunks of " + version + " hold " + sum + " bytes, the release announces " + total);
      }
      String actual = join(parts, count, archive);
      if (!actual.equalsIgnoreCase(expectedSha256)) {
        throw new ArtifactException(
            ArtifactProblem.SHA256_MISMATCH,
            "archive of "
                + version
                + " has sha256 "
                + actual
                + ", the release says "
                + expectedSha256);
      }
      done = true;
    } catch (IOException e) {
      throw new ArtifactException(
          ArtifactProblem.FETCH_FAILED,
          "cannot write chunks of " + version + " to " + parts + ": " + e,
          e);
    } finally {
      deleteQuietly(parts);
      if (!done) {
        deleteQuietly(archive);
      }
    }
  }

  /**
   * Chunks 0..count-1 of a version found in the partitions, written to {@code parts} (later records
   * winning, tombstones deleting): index to size.
   */
  private Map<Integer, Long> read(
      List<TopicPartition> partitions,
      String version,
      int count,
      long total,
      Path parts,
      long deadline)
      throws IOException {
    deleteQuietly(parts);
    Files.createDirectories(parts);
    TreeMap<Integer, Long> chunks = new TreeMap<>();
    try {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, remaining(deadline));
      long bytes = 0;
      while (!caughtUp(partitions, end)) {
        if (System.nanoTime() > deadline) {
          throw new ArtifactException(
              ArtifactProblem.FETCH_FAILED, "timed out reading chunks of " + version);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          OptionalInt index = ArtifactChunkFormat.index(r.key(), version);
          if (index.isEmpty() || index.getAsInt() >= count) {
            continue;
          }
          byte[] value = r.value();
          Long prev =
              value == null
                  ? chunks.remove(index.getAsInt())
                  : chunks.put(index.getAsInt(), (long) value.length);
          bytes += (value == null ? 0 : value.length) - (prev == null ? 0 : prev);
          if (bytes > total) {
            throw new ArtifactException(
                ArtifactProblem.UNSAFE_ARCHIVE,
                "chunks of "
                    + version
                    + " hold more than the "
                    + total
                    + " bytes the release announces");
          }
          Path part = parts.resolve(Integer.toString(index.getAsInt()));
          if (value == null) {
            Files.deleteIfExists(part);
          } else {
            Files.write(part, value);
          }
        }
      }
    } catch (ArtifactException e) {
      throw e;
    } catch (KafkaException e) {
      throw new ArtifactException(
          ArtifactProblem.FETCH_FAILED, "cannot read chunks of " + version + ": " + e, e);
    } finally {
      consumer.unsubscribe();
    }
    return chunks;
  }

  /**
   * Joins the parts 0..count-1 into {@code archive}; returns the sha256 (lower-case hex) of what it
   * wrote.
   */
  private static String join(Path parts, int count, Path archive) throws IOException {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is mandatory on every JVM", e);
    }
    try (OutputStream out =
        new DigestOutputStream(
            new BufferedOutputStream(Files.newOutputStream(archive, StandardOpenOption.CREATE_NEW)),
            sha256)) {
      for (int i = 0; i < count; i++) {
        Path part = parts.resolve(Integer.toString(i));
        Files.copy(part, out);
        Files.delete(part);
      }
    }
    return HexFormat.of().formatHex(sha256.digest());
  }

  private boolean caughtUp(List<TopicPartition> partitions, Map<TopicPartition, Long> end) {
    for (TopicPartition tp : partitions) {
      if (consumer.position(tp) < end.getOrDefault(tp, 0L)) {
        return false;
      }
    }
    return true;
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
  }

  /** Deletes a file or a directory of files, if present; failures are ignored. */
  private static void deleteQuietly(Path path) {
    try {
      if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(path)) {
          for (Path f : files) {
            Files.deleteIfExists(f);
          }
        }
      }
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // best effort: a leftover part file is harmless and is overwritten by the next fetch
    }
  }
}
