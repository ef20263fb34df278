package io.latentstream.schemas.artifacts;

import io.latentstream.schemas.ArtifactChunks;
import java.time.Duration;
import java.util.ArrayList;
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
 * Reads a package archive back from its chunks (docs/model-artifacts.md) and checks it: every chunk present, the
 * announced total size, and the sha256. It reads the version's partition from the beginning to its end (the last
 * stable offset with {@code isolation.level=read_committed}, which the consumer must use), and scans every partition
 * if chunks are missing there (the topic may have gained partitions since publishing).
 *
 * <p>Not thread-safe: it drives the consumer given to it, which the caller owns, configures (byte-array values,
 * string keys, read_committed, no group needed) and closes.
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
    this.maxBytes = Math.min(maxBytes, Integer.MAX_VALUE - 64);
  }

  /**
   * Fetches and verifies one archive.
   *
   * @throws ArtifactException INCOMPLETE_CHUNKS, SHA256_MISMATCH, UNSAFE_ARCHIVE (too large) or FETCH_FAILED
   */
  public byte[] fetch(String version, ArtifactChunks location, String expectedSha256, Duration timeout) {
    int count = location.getChunkCount();
    long total = location.getTotalSizeBytes();
    if (count < 1 || total < 0) {
      throw new ArtifactException(ArtifactProblem.INCOMPLETE_CHUNKS, "release announces " + count + " chunks of "
          + total + " bytes");
    }
    if (total > maxBytes) {
      throw new ArtifactException(ArtifactProblem.UNSAFE_ARCHIVE, "archive of " + total + " bytes exceeds the limit of "
          + maxBytes);
    }
    String topic = location.getTopic();
    long deadline = System.nanoTime() + timeout.toNanos();
    List<PartitionInfo> infos;
    try {
      infos = consumer.partitionsFor(topic, timeout);
    } catch (KafkaException e) {
      throw new ArtifactException(ArtifactProblem.FETCH_FAILED, "cannot read topic " + topic + ": " + e, e);
    }
    if (infos == null || infos.isEmpty()) {
      throw new ArtifactException(ArtifactProblem.FETCH_FAILED, "artifacts topic " + topic + " does not exist");
    }
    TopicPartition home = new TopicPartition(topic, ArtifactChunkFormat.partition(version, infos.size()));
    Map<Integer, byte[]> chunks = read(List.of(home), version, count, deadline);
    if (chunks.size() < count && infos.size() > 1) {
      List<TopicPartition> all = new ArrayList<>();
      infos.forEach(i -> all.add(new TopicPartition(topic, i.partition())));
      chunks = read(all, version, count, deadline);
    }
    if (chunks.size() < count) {
      List<Integer> missing = new ArrayList<>();
      for (int i = 0; i < count && missing.size() < 10; i++) {
        if (!chunks.containsKey(i)) {
          missing.add(i);
        }
      }
      throw new ArtifactException(ArtifactProblem.INCOMPLETE_CHUNKS, "found " + chunks.size() + " of " + count
          + " chunks of " + version + " on " + topic + "; missing e.g. " + missing);
    }
    long sum = 0;
    for (byte[] c : chunks.values()) {
      sum += c.length;
    }
    if (sum != total) {
      throw new ArtifactException(ArtifactProblem.INCOMPLETE_CHUNKS, "chunks of " + version + " hold " + sum
          + " bytes, the release announces " + total);
    }
    byte[] archive = new byte[(int) total];
    int offset = 0;
    for (byte[] c : chunks.values()) {
      System.arraycopy(c, 0, archive, offset, c.length);
      offset += c.length;
    }
    String actual = ArtifactChunkFormat.sha256(archive);
    if (!actual.equalsIgnoreCase(expectedSha256)) {
      throw new ArtifactException(ArtifactProblem.SHA256_MISMATCH, "archive of " + version + " has sha256 " + actual
          + ", the release says " + expectedSha256);
    }
    return archive;
  }

  /** Chunks 0..count-1 of a version found in the partitions, later records winning, tombstones deleting. */
  private Map<Integer, byte[]> read(List<TopicPartition> partitions, String version, int count, long deadline) {
    TreeMap<Integer, byte[]> chunks = new TreeMap<>();
    try {
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, remaining(deadline));
      long bytes = 0;
      while (!caughtUp(partitions, end)) {
        if (System.nanoTime() > deadline) {
          throw new ArtifactException(ArtifactProblem.FETCH_FAILED, "timed out reading chunks of " + version);
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          OptionalInt index = ArtifactChunkFormat.index(r.key(), version);
          if (index.isEmpty() || index.getAsInt() >= count) {
            continue;
          }
          byte[] prev = r.value() == null ? chunks.remove(index.getAsInt()) : chunks.put(index.getAsInt(), r.value());
          bytes += (r.value() == null ? 0 : r.value().length) - (prev == null ? 0 : prev.length);
          if (bytes > maxBytes) {
            throw new ArtifactException(ArtifactProblem.UNSAFE_ARCHIVE, "chunks of " + version + " exceed "
                + maxBytes + " bytes");
          }
        }
      }
    } catch (ArtifactException e) {
      throw e;
    } catch (KafkaException e) {
      throw new ArtifactException(ArtifactProblem.FETCH_FAILED, "cannot read chunks of " + version + ": " + e, e);
    } finally {
      consumer.unsubscribe();
    }
    return chunks;
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
}
