package io.latentstream.schemas.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentstream.schemas.ArtifactChunks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ArtifactFetcher} against a mock consumer holding the chunk records of one partition. */
class ArtifactFetcherTest {
  private static final String TOPIC = "models.artifacts";
  private static final String VERSION = "default-q2-20261125000000-0badc0de";
  private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

  @TempDir Path dir;

  /** A consumer whose partition holds {@code values} (null: a tombstone) under the keys given. */
  private static MockConsumer<String, byte[]> consumer(List<String> keys, List<byte[]> values) {
    MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
    consumer.updateEndOffsets(Map.of(PARTITION, (long) keys.size()));
    consumer.schedulePollTask(
        () -> {
          for (int i = 0; i < keys.size(); i++) {
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, i, keys.get(i), values.get(i)));
          }
        });
    return consumer;
  }

  @Test
  void shouldStopReadingOnceTheChunksHoldMoreThanTheReleaseAnnounces() {
    // the release announces 1000 bytes in 2 chunks; the topic holds a chunk of 600 KB (well under
    // the fetcher's
    // own limit) that must not be kept, let alone copied
    byte[] big = new byte[600 * 1024];
    List<String> keys =
        new ArrayList<>(
            List.of(ArtifactChunkFormat.key(VERSION, 0), ArtifactChunkFormat.key(VERSION, 1)));
    List<byte[]> values = new ArrayList<>(List.of(big, new byte[10]));
    ArtifactFetcher fetcher = new ArtifactFetcher(consumer(keys, values), 64L << 20);

    Path archive = dir.resolve("archive.zip");
    assertThatThrownBy(
            () ->
                fetcher.fetchTo(
                    VERSION,
                    new ArtifactChunks(TOPIC, 2, 1000L),
                    ArtifactChunkFormat.sha256(new byte[1000]),
                    archive,
                    Duration.ofSeconds(10)))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> {
              assertThat(e.problem()).isEqualTo(ArtifactProblem.UNSAFE_ARCHIVE);
              assertThat(e.getMessage()).contains("1000");
            });
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void shouldJoinTheLatestChunksInIndexOrderIntoAVerifiedFile() throws Exception {
    byte[] content = new byte[2500];
    new Random(3).nextBytes(content);
    byte[] c0 = Arrays.copyOfRange(content, 0, 1000);
    byte[] c1 = Arrays.copyOfRange(content, 1000, 2000);
    byte[] c2 = Arrays.copyOfRange(content, 2000, 2500);
    // out of order, a stale copy of chunk 1 overwritten, a deleted chunk published again, other
    // versions between
    List<String> keys =
        List.of(
            ArtifactChunkFormat.key(VERSION, 2),
            ArtifactChunkFormat.key(VERSION, 1),
            "other-q1-20261125000000-00000000/0",
            ArtifactChunkFormat.key(VERSION, 0),
            ArtifactChunkFormat.key(VERSION, 0),
            ArtifactChunkFormat.key(VERSION, 1),
            ArtifactChunkFormat.key(VERSION, 0),
            ArtifactChunkFormat.key(VERSION, 3));
    List<byte[]> values =
        Arrays.asList(c2, new byte[999], new byte[5000], c0, null, c1, c0, new byte[7]);
    ArtifactFetcher fetcher = new ArtifactFetcher(consumer(keys, values), 64L << 20);
    Path archive = dir.resolve("archive.zip");

    fetcher.fetchTo(
        VERSION,
        new ArtifactChunks(TOPIC, 3, 2500L),
        ArtifactChunkFormat.sha256(content),
        archive,
        Duration.ofSeconds(10));

    assertThat(Files.readAllBytes(archive)).isEqualTo(content);
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).containsExactly(archive);
    }
  }

  @Test
  void shouldLeaveNothingBehindWhenTheDigestDiffers() {
    byte[] content = new byte[1500];
    List<String> keys =
        List.of(ArtifactChunkFormat.key(VERSION, 0), ArtifactChunkFormat.key(VERSION, 1));
    List<byte[]> values = List.of(Arrays.copyOf(content, 1000), new byte[500]);
    ArtifactFetcher fetcher = new ArtifactFetcher(consumer(keys, values), 64L << 20);

    assertThatThrownBy(
            () ->
                fetcher.fetchTo(
                    VERSION,
                    new ArtifactChunks(TOPIC, 2, 1500L),
                    ArtifactChunkFormat.sha256(new byte[] {1}),
                    dir.resolve("archive.zip"),
                    Duration.ofSeconds(10)))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.problem()).isEqualTo(ArtifactProblem.SHA256_MISMATCH));
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void shouldRefuseAnAnnouncedSizeAboveTheLimitBeforeReading() {
    ArtifactFetcher fetcher = new ArtifactFetcher(consumer(List.of(), List.of()), 1000);

    assertThatThrownBy(
            () ->
                fetcher.fetchTo(
                    VERSION,
                    new ArtifactChunks(TOPIC, 1, 1001L),
                    "00",
                    dir.resolve("archive.zip"),
                    Duration.ofSeconds(10)))
        .isInstanceOfSatisfying(
            ArtifactException.class,
            e -> assertThat(e.problem()).isEqualTo(ArtifactProblem.UNSAFE_ARCHIVE));
  }
}
