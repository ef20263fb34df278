package io.latentstream.streams.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.schemas.ArtifactChunks;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.SampleRecords;
import io.latentstream.schemas.artifacts.ArtifactChunkFormat;
import io.latentstream.schemas.artifacts.ModelArtifactPublisher;
import io.latentstream.schemas.artifacts.PackageArchive;
import io.latentstream.schemas.artifacts.ReleaseInstaller;
import io.latentstream.schemas.artifacts.ReleaseSignature;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.streams.TestFrames;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The release watcher against the real broker and registry: a signed package published on Kafka
 * becomes the encoder (also for an instance that starts after it was published); a bad one is
 * rejected with its reason and the running model keeps serving.
 */
@RealPlatform
class ReleaseWatcherIT {
  private static final int CHUNK_BYTES =
      1024; // the minimum: a fixture package becomes several chunks

  @TempDir Path tmp;

  private final KeyPair trainerKeys = ReleaseSignature.generateKeyPair();
  private String bootstrapServers;
  private String releasesTopic;
  private String artifactsTopic;
  private Path modelsDir;
  private String initialVersion;
  private ActiveModels activeModels;
  private AvroSerde<ModelRelease> releaseSerde;
  private ModelArtifactPublisher publisher;
  private ReleaseWatcher watcher;

  @BeforeEach
  void setUp(TestPlatform platform) {
    releasesTopic = platform.uniqueName("models.releases");
    artifactsTopic = platform.uniqueName("models.artifacts");
    platform.createTopic(releasesTopic, 1, Map.of("cleanup.policy", "compact"));
    platform.createTopic(artifactsTopic, 2, Map.of("cleanup.policy", "compact"));
    modelsDir = ModelFixtures.modelsDirWithInitial(tmp.resolve("models"));
    activeModels = new ActiveModels(modelsDir, ModelFixtures.MODEL_NAME, 2);
    activeModels.loadNewestLocal();
    initialVersion = activeModels.currentVersion();
    releaseSerde =
        new AvroSerde<>(
            new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl())),
            ModelRelease.class);
    publisher = trainerPublisher(platform);
    bootstrapServers = platform.bootstrapServers();
    watcher = new ReleaseWatcher(config(modelsDir), activeModels, releaseSerde.deserializer());
  }

  private StreamsAppConfig config(Path models) {
    Map<String, Object> config = new HashMap<>();
    config.put(StreamsAppConfig.BOOTSTRAP_SERVERS, bootstrapServers);
    config.put(StreamsAppConfig.TOPIC_RELEASES, releasesTopic);
    config.put(StreamsAppConfig.TOPIC_ARTIFACTS, artifactsTopic);
    config.put(StreamsAppConfig.MODELS_DIR, models.toString());
    config.put(StreamsAppConfig.MODEL_PUBLIC_KEY, ReleaseSignature.encode(trainerKeys.getPublic()));
    return StreamsAppConfig.of(config);
  }

  @AfterEach
  void tearDown() {
    watcher.close();
    publisher.close();
    activeModels.close();
  }

  @Test
  void shouldSwapToSignedReleaseWhenItWasPublishedBeforeTheInstanceStarted() throws Exception {
    PixelImage image = TestFrames.image(1, 3);
    EncodedImage beforeSwap = activeModels.compress(image);
    Path pkg = ModelFixtures.releasedPackage();
    String newVersion = pkg.getFileName().toString();

    ModelRelease published = publisher.publish(pkg, SampleRecords.releaseToPublish());
    startAndCatchUp();
    assertThat(activeModels.currentVersion()).isEqualTo(newVersion);
    assertThat(published.getLocation())
        .isInstanceOfSatisfying(
            ArtifactChunks.class, c -> assertThat(c.getChunkCount()).isGreaterThan(1));
    assertThat(activeModels.swapCount()).isEqualTo(2);
    assertThat(activeModels.rejectionCounts().values()).containsOnly(0L);
    assertThat(Files.isRegularFile(modelsDir.resolve(newVersion).resolve("manifest.json")))
        .isTrue();
    assertThat(activeModels.compress(image).modelVersion()).isEqualTo(newVersion);
    // frames encoded before the swap still decode, with the version that encoded them
    assertThat(beforeSwap.modelVersion()).isEqualTo(initialVersion);
    assertThat(activeModels.decompress(beforeSwap.bitstream()).width()).isEqualTo(image.width());
    assertThat(activeModels.loadedVersions()).containsExactly(newVersion, initialVersion);
  }

  @Test
  void shouldSwapBackWhenAnEarlierVersionIsPromotedAgain() throws Exception {
    startAndCatchUp();
    Path pkg = ModelFixtures.releasedPackage();
    String newVersion = pkg.getFileName().toString();
    publisher.publish(pkg, SampleRecords.releaseToPublish());
    awaitVersion(newVersion);

    // rollback: the initial package published again (it is on disk here, so only its sha256 is
    // compared)
    publisher.publish(ModelFixtures.initialPackage(), SampleRecords.releaseToPublish());

    awaitVersion(initialVersion);
    assertThat(activeModels.swapCount()).isEqualTo(3);
    assertThat(activeModels.rejectionCounts().values()).containsOnly(0L);
  }

  @Test
  void shouldTryAgainWhenAReleaseCannotBeFetchedForNowInsteadOfRejectingIt() throws Exception {
    startAndCatchUp();
    // the disk refuses the staging directory for now (a file where the directory must go)
    Path blocker =
        Files.writeString(modelsDir.resolve(ReleaseInstaller.INCOMING), "not a directory");
    Path pkg = ModelFixtures.releasedPackage();
    String newVersion = pkg.getFileName().toString();

    publisher.publish(pkg, SampleRecords.releaseToPublish());

    await().atMost(Duration.ofSeconds(60)).until(() -> watcher.retryCount() >= 2);
    assertThat(activeModels.currentVersion()).isEqualTo(initialVersion);
    assertThat(activeModels.rejectionCounts().values()).containsOnly(0L);
    assertThat(watcher.isHealthy()).isTrue();

    Files.delete(blocker);

    awaitVersion(newVersion);
    assertThat(activeModels.rejectionCounts().values()).containsOnly(0L);
  }

  @Test
  void shouldRefuseAnOldSignedPromotionSentAgainButFollowARollback() throws Exception {
    startAndCatchUp();
    ModelRelease first =
        publisher.publish(ModelFixtures.initialPackage(), SampleRecords.releaseToPublish());
    Path pkg = ModelFixtures.releasedPackage();
    String newVersion = pkg.getFileName().toString();
    publisher.publish(pkg, SampleRecords.releaseToPublish());
    awaitVersion(newVersion);

    // whoever can write the topic sends the first promotion again, signature and all
    publisher.publishRelease(first);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> activeModels.rejectionCount(RejectionReason.REPLAYED) == 1);
    assertThat(activeModels.currentVersion()).isEqualTo(newVersion);
    assertThat(activeModels.swapCount()).isEqualTo(2);

    // a rollback by the trainer is a new publication of the earlier version: followed
    publisher.publish(ModelFixtures.initialPackage(), SampleRecords.releaseToPublish());
    awaitVersion(initialVersion);
  }

  @Test
  void shouldDecodeAFrameOfASupersededModelOnAnInstanceThatNeverHadIt() throws Exception {
    PixelImage image = TestFrames.image(1, 5);
    EncodedImage old = activeModels.compress(image); // encoded by the initial model, released first
    publisher.publish(ModelFixtures.initialPackage(), SampleRecords.releaseToPublish());
    Path pkg = ModelFixtures.releasedPackage();
    String newVersion = pkg.getFileName().toString();
    publisher.publish(pkg, SampleRecords.releaseToPublish());

    // an instance started after the initial model was superseded, with nothing bundled
    Path freshModels = Files.createDirectories(tmp.resolve("fresh-models"));
    try (ActiveModels fresh = new ActiveModels(freshModels, ModelFixtures.MODEL_NAME, 2);
        ReleaseWatcher freshWatcher =
            new ReleaseWatcher(config(freshModels), fresh, releaseSerde.deserializer())) {
      freshWatcher.start();
      assertThat(freshWatcher.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
      assertThat(fresh.currentVersion()).isEqualTo(newVersion);

      PixelImage decoded = fresh.decompress(old.bitstream());

      assertThat(decoded.width()).isEqualTo(image.width());
      assertThat(decoded.pixels()).isEqualTo(activeModels.decompress(old.bitstream()).pixels());
      assertThat(freshModels.resolve(initialVersion)).isDirectory();
      assertThat(fresh.rejectionCounts().values()).containsOnly(0L);
    }
  }

  @Test
  void shouldDecodeAFrameOfASupersededModelOnANewInstanceAfterTheReleasesTopicWasCompacted(
      TestPlatform platform) throws Exception {
    // a releases topic that the broker's log cleaner compacts within seconds of a segment roll
    releasesTopic = platform.uniqueName("models.releases");
    platform.createFastCompactingTopic(releasesTopic, Map.of());
    PixelImage image = TestFrames.image(2, 3);
    EncodedImage old = activeModels.compress(image);
    Path pkg = ModelFixtures.releasedPackage();
    try (ModelArtifactPublisher compacting = trainerPublisher(platform)) {
      compacting.publish(ModelFixtures.initialPackage(), SampleRecords.releaseToPublish());
      // the newer version three times (as rollbacks to it would): segments roll between them, so
      // its first record
      // lands in a closed segment with a later record of its key, and the cleaner removes it
      for (int i = 0; i < 3; i++) {
        compacting.publish(pkg, SampleRecords.releaseToPublish());
        Thread.sleep(300);
      }
    }
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> releaseKeys(platform).size() < 4);
    assertThat(releaseKeys(platform)).contains(initialVersion);

    Path freshModels = Files.createDirectories(tmp.resolve("fresh-compacted"));
    try (ActiveModels fresh = new ActiveModels(freshModels, ModelFixtures.MODEL_NAME, 2);
        ReleaseWatcher freshWatcher =
            new ReleaseWatcher(config(freshModels), fresh, releaseSerde.deserializer())) {
      freshWatcher.start();
      assertThat(freshWatcher.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
      assertThat(fresh.currentVersion()).isEqualTo(pkg.getFileName().toString());
      assertThat(fresh.decompress(old.bitstream()).pixels())
          .isEqualTo(activeModels.decompress(old.bitstream()).pixels());
      assertThat(freshModels.resolve(initialVersion)).isDirectory();
    }
  }

  /** The keys of the release records with a value, read_committed from the beginning. */
  private List<String> releaseKeys(TestPlatform platform) {
    Map<String, Object> props = platform.clientConfig();
    props.put("isolation.level", "read_committed");
    props.remove("group.id");
    List<String> out = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      var tp = new TopicPartition(releasesTopic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            out.add(r.key());
          }
        }
      }
    }
    return out;
  }

  /** The ways a published package can be bad, and the reason each must be rejected with. */
  enum BadRelease {
    INCOMPLETE_CHUNKS(RejectionReason.INCOMPLETE_CHUNKS),
    WRONG_SHA256(RejectionReason.SHA256_MISMATCH),
    UNSIGNED(RejectionReason.MISSING_SIGNATURE),
    SIGNED_BY_ANOTHER_KEY(RejectionReason.BAD_SIGNATURE),
    SIZE_CHANGED_AFTER_SIGNING(RejectionReason.BAD_SIGNATURE),
    PATH_TRAVERSAL(RejectionReason.UNSAFE_ARCHIVE),
    NOT_A_MODEL(RejectionReason.LOAD_FAILED);

    final RejectionReason reason;

    BadRelease(RejectionReason reason) {
      this.reason = reason;
    }
  }

  @ParameterizedTest
  @EnumSource(BadRelease.class)
  void shouldRejectWithReasonAndKeepServingWhenPackageIsBad(BadRelease bad) throws Exception {
    startAndCatchUp();
    Path pkg = ModelFixtures.releasedPackage();
    String version = pkg.getFileName().toString();

    publisher.publishRelease(badRelease(bad, pkg));

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> activeModels.rejectionCount(bad.reason) == 1);
    assertThat(activeModels.currentVersion()).isEqualTo(initialVersion);
    assertThat(activeModels.swapCount()).isEqualTo(1);
    assertThat(activeModels.recentRejections())
        .singleElement()
        .satisfies(r -> assertThat(r.version()).isEqualTo(version))
        .satisfies(r -> assertThat(r.reason()).isEqualTo(bad.reason));
    assertThat(modelsDir.resolve(version)).doesNotExist();
    assertThat(tmp.resolve("escaped.txt")).doesNotExist();
    assertThat(modelsDir.resolve("escaped.txt")).doesNotExist();
    assertThat(activeModels.compress(TestFrames.image(2, 7)).modelVersion())
        .isEqualTo(initialVersion);

    // and the watcher goes on: a good release afterwards is installed
    publisher.publish(pkg, SampleRecords.releaseToPublish());
    awaitVersion(version);
  }

  private ModelRelease badRelease(BadRelease bad, Path pkg) throws IOException {
    String version = pkg.getFileName().toString();
    byte[] archive = PackageArchive.pack(pkg);
    String sha = ArtifactChunkFormat.sha256(archive);
    PrivateKey signer = trainerKeys.getPrivate();
    switch (bad) {
      case INCOMPLETE_CHUNKS -> {
        // only the first two chunks made it to the topic
        ArtifactChunks partial =
            publisher.publishChunks(version, Arrays.copyOf(archive, 2 * CHUNK_BYTES));
        ArtifactChunks announced =
            new ArtifactChunks(
                partial.getTopic(),
                (archive.length + CHUNK_BYTES - 1) / CHUNK_BYTES,
                (long) archive.length);
        return ModelFixtures.release(version, sha, announced, signer);
      }
      case WRONG_SHA256 -> {
        ArtifactChunks chunks = publisher.publishChunks(version, archive);
        String other =
            ArtifactChunkFormat.sha256("another package".getBytes(StandardCharsets.UTF_8));
        return ModelFixtures.release(version, other, chunks, signer);
      }
      case UNSIGNED -> {
        return signedRelease(version, archive, null);
      }
      case SIGNED_BY_ANOTHER_KEY -> {
        return signedRelease(version, archive, ReleaseSignature.generateKeyPair().getPrivate());
      }
      case SIZE_CHANGED_AFTER_SIGNING -> {
        // a signed release whose announced size was raised afterwards: the fetch limit must not be
        // the forger's
        ArtifactChunks chunks = publisher.publishChunks(version, archive);
        ModelRelease signed = ModelFixtures.release(version, sha, chunks, signer);
        return ModelRelease.newBuilder(signed)
            .setLocation(
                ArtifactChunks.newBuilder(chunks)
                    .setTotalSizeBytes(chunks.getTotalSizeBytes() + 1)
                    .build())
            .build();
      }
      case PATH_TRAVERSAL -> {
        byte[] evil =
            zip(
                Map.of(
                    "manifest.json",
                    "{}",
                    "../../escaped.txt",
                    "gotcha",
                    "../escaped.txt",
                    "gotcha"));
        return signedRelease(version, evil, signer);
      }
      case NOT_A_MODEL -> {
        byte[] junk =
            zip(
                Map.of(
                    "manifest.json",
                    "{\"format\": \"something else\"}",
                    "encoder/saved_model.pb",
                    "x"));
        return signedRelease(version, junk, signer);
      }
      default -> throw new IllegalArgumentException(bad.toString());
    }
  }

  /** {@code archive} published as chunks, and its release signed by {@code signer} (or not). */
  private ModelRelease signedRelease(String version, byte[] archive, PrivateKey signer) {
    return ModelFixtures.release(
        version,
        ArtifactChunkFormat.sha256(archive),
        publisher.publishChunks(version, archive),
        signer);
  }

  private static byte[] zip(Map<String, String> entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, String> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return out.toByteArray();
  }

  /** A publisher to this test's topics, signing with the trainer's key, as the trainer does. */
  private ModelArtifactPublisher trainerPublisher(TestPlatform platform) {
    return new ModelArtifactPublisher(
        platform.clientConfig(),
        releaseSerde.serializer(),
        artifactsTopic,
        releasesTopic,
        CHUNK_BYTES,
        trainerKeys.getPrivate());
  }

  /** Starts the watcher and waits until it has read every release published so far. */
  private void startAndCatchUp() throws InterruptedException {
    watcher.start();
    assertThat(watcher.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
  }

  /** Waits (60 s at most) until the active model is {@code version}. */
  private void awaitVersion(String version) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> activeModels.currentVersion().equals(version));
  }
}
