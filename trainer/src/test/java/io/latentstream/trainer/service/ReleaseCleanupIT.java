package io.latentstream.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.SampleRecords;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Releases keyed by version (one record per version survives compaction, so a superseded version
 * stays fetchable while frames it encoded are retained) and the trainer's cleanup of versions no
 * retained frame needs, on the real broker and registry.
 */
@RealPlatform
class ReleaseCleanupIT {
  private static final String MODEL = "clean-q4";

  @Test
  void shouldKeyReleasesByVersionAndDeleteOnlyVersionsSupersededLongerAgoThanTheLatentRetention(
      TestPlatform platform) throws Exception {
    ServiceFixture fixture = new ServiceFixture(platform, "cleanup");
    Path v1 = fixture.champion(MODEL);
    Path v2 =
        copyAsVersion(
            v1,
            MODEL
                + "-20990101000000-"
                + v1.getFileName().toString().substring(v1.getFileName().toString().length() - 8));
    String foreverTopic = platform.uniqueName("images.latent");
    platform.createTopic(foreverTopic, 1, Map.of("retention.ms", "-1"));
    fixture
        .set(TrainerServiceConfig.TOPIC_LATENT, foreverTopic)
        .set(TrainerServiceConfig.CLEANUP_MARGIN_MS, 0);

    AvroSerde<ModelRelease> serde = releaseSerde(platform);
    ReleasePublisher publisher = new ReleasePublisher(fixture.config(), serde.serializer(), null);
    publisher.publish(v1, SampleRecords.releaseToPublish());
    ModelRelease second = publisher.publish(v2, SampleRecords.releaseToPublish());

    // gap 1: both versions have their own key, so compaction keeps the superseded v1's release
    assertThat(records(platform, fixture.topic(TrainerServiceConfig.TOPIC_RELEASES)).keySet())
        .containsExactlyInAnyOrder(v1.getFileName().toString(), v2.getFileName().toString());
    ReleaseHistory history = new ReleaseHistory(fixture.config(), serde.deserializer(), null);
    assertThat(history.history(MODEL))
        .extracting(ModelRelease::getVersion)
        .containsExactly(v1.getFileName().toString(), v2.getFileName().toString());

    // frames kept forever: nothing is deleted, however old
    ReleaseCleanup forever =
        new ReleaseCleanup(fixture.config(), history, publisher, Clock.systemUTC());
    assertThat(forever.run()).isEmpty();

    // frames kept 1 s: v1, superseded more than 1 s ago, goes (chunks and release); v2, the
    // champion, stays
    String shortTopic = platform.uniqueName("images.latent");
    platform.createTopic(shortTopic, 1, Map.of("retention.ms", "1000"));
    fixture.set(TrainerServiceConfig.TOPIC_LATENT, shortTopic);
    long wait = second.getPublishedAt().toEpochMilli() + 1500 - System.currentTimeMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
    ReleaseHistory history2 = new ReleaseHistory(fixture.config(), serde.deserializer(), null);
    ReleaseCleanup cleanup =
        new ReleaseCleanup(fixture.config(), history2, publisher, Clock.systemUTC());
    assertThat(cleanup.run())
        .extracting(ReleaseCleanup.Deletion::version)
        .containsExactly(v1.getFileName().toString());
    assertThat(cleanup.deletedCount()).isEqualTo(1);

    assertThat(history2.history(MODEL))
        .extracting(ModelRelease::getVersion)
        .containsExactly(v2.getFileName().toString());
    Map<String, byte[]> releases =
        records(platform, fixture.topic(TrainerServiceConfig.TOPIC_RELEASES));
    assertThat(releases.get(v1.getFileName().toString())).isNull();
    assertThat(releases.get(v2.getFileName().toString())).isNotNull();
    Map<String, byte[]> chunks =
        records(platform, fixture.topic(TrainerServiceConfig.TOPIC_ARTIFACTS));
    List<String> live = new ArrayList<>();
    chunks.forEach(
        (k, v) -> {
          if (v != null) {
            live.add(k);
          }
        });
    assertThat(live).isNotEmpty().allMatch(k -> k.startsWith(v2.getFileName() + "/"));
    assertThat(chunks.keySet()).anyMatch(k -> k.startsWith(v1.getFileName() + "/"));
    // a second pass finds nothing more to delete
    assertThat(cleanup.run()).isEmpty();
  }

  @Test
  void shouldKeepASupersededVersionFetchableAfterCompaction(TestPlatform platform)
      throws Exception {
    ServiceFixture fixture = new ServiceFixture(platform, "compact");
    // a releases topic that the broker's log cleaner compacts within seconds of a segment roll
    String releasesTopic = platform.uniqueName("models.releases");
    platform.createFastCompactingTopic(releasesTopic, Map.of("delete.retention.ms", "100"));
    fixture.set(TrainerServiceConfig.TOPIC_RELEASES, releasesTopic);
    Path v1 = fixture.champion(MODEL);
    String name = v1.getFileName().toString();
    Path v2 = copyAsVersion(v1, MODEL + "-20990101000000-" + name.substring(name.length() - 8));
    AvroSerde<ModelRelease> serde = releaseSerde(platform);
    ReleasePublisher publisher = new ReleasePublisher(fixture.config(), serde.serializer(), null);
    publisher.publish(v1, SampleRecords.releaseToPublish());
    // v2, then v2 twice more (as rollbacks to it would): segments roll between them, so the first
    // record of v2
    // ends up in a closed segment with a later record of its key, which the cleaner removes
    for (int i = 0; i < 3; i++) {
      publisher.publish(v2, SampleRecords.releaseToPublish());
      Thread.sleep(300);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (keys(platform, releasesTopic).size() == 4) {
      assertThat(System.nanoTime())
          .as("the log cleaner compacted " + releasesTopic + " within 90 s")
          .isLessThan(deadline);
      Thread.sleep(1000);
    }
    // one record of v2 went; v1's release is still there, and a brand-new models directory fetches
    // v1 through it
    assertThat(keys(platform, releasesTopic)).contains(name).hasSizeLessThan(4);
    fixture.set(TrainerServiceConfig.MODELS_DIR, fixture.dir().resolve("fresh-models").toString());
    ReleaseHistory fresh = new ReleaseHistory(fixture.config(), serde.deserializer(), null);
    ModelRelease old =
        fresh.history(MODEL).stream()
            .filter(r -> r.getVersion().equals(name))
            .findFirst()
            .orElseThrow();
    Path fetched = fresh.packageOf(old);
    assertThat(fetched).isEqualTo(fixture.dir().resolve("fresh-models").resolve(name));
    assertThat(fetched.resolve("manifest.json")).exists();
  }

  /** The keys of the records with a value on a topic, in offset order, read_committed. */
  private static List<String> keys(TestPlatform platform, String topic) {
    Map<String, Object> props = platform.clientConfig();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            out.add(r.key());
          }
        }
      }
    }
    return out;
  }

  /**
   * A copy of a package under another version of the same model (manifest edited; not loaded here).
   */
  private static Path copyAsVersion(Path pkg, String version) throws Exception {
    Path target = pkg.resolveSibling(version);
    try (Stream<Path> walk = Files.walk(pkg)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path out = target.resolve(pkg.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(out);
        } else {
          Files.copy(p, out);
        }
      }
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode manifest = (ObjectNode) json.readTree(target.resolve("manifest.json").toFile());
    manifest.put("version", version);
    json.writeValue(target.resolve("manifest.json").toFile(), manifest);
    return target;
  }

  /** The latest value of every key on a topic (null for a tombstone), read_committed. */
  private static Map<String, byte[]> records(TestPlatform platform, String topic) {
    Map<String, Object> props = platform.clientConfig();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    Map<String, byte[]> out = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> tps =
          consumer.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.put(r.key(), r.value());
        }
      }
    }
    return out;
  }

  private static AvroSerde<ModelRelease> releaseSerde(TestPlatform platform) {
    return new AvroSerde<>(
        new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl())),
        ModelRelease.class);
  }
}
