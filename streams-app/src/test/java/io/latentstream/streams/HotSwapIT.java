package io.latentstream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.ModelResolver;
import io.latentstream.schemas.ArtifactChunks;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.SampleRecords;
import io.latentstream.schemas.artifacts.ArtifactChunkFormat;
import io.latentstream.schemas.artifacts.ModelArtifactPublisher;
import io.latentstream.schemas.artifacts.PackageArchive;
import io.latentstream.schemas.artifacts.ReleaseSignature;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.model.ModelFixtures;
import io.latentstream.streams.model.RejectionReason;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acceptance 3 of the streams app: a new model released over Kafka while 1,000 frames flow through
 * the running service. No frame is lost or duplicated, each camera's output switches version
 * exactly once, every frame sent after the swap carries the new version, frames encoded by the old
 * version still decode over REST with that version, and a corrupt package published meanwhile is
 * rejected without changing anything.
 */
@RealPlatform
class HotSwapIT {
  private static final Logger LOG = LoggerFactory.getLogger(HotSwapIT.class);
  private static final int CAMERAS = 4;
  private static final int FRAMES_PER_CAMERA = 250;

  /** Frames from this sequence on are sent only once the swap happened. */
  private static final int SENT_AFTER_SWAP = 200;

  @Test
  void shouldSwitchVersionOnceAndLoseNoFrameWhenReleasedWhileFramesFlow(TestPlatform platform)
      throws Exception {
    long start = System.nanoTime();
    KeyPair trainer = ReleaseSignature.generateKeyPair();
    Path modelsDir =
        Files.createTempDirectory(
            Files.createDirectories(Paths.get("target", "tmp")), "hotswap-models-");
    ModelFixtures.modelsDirWithInitial(modelsDir);
    PipelineFixture fixture =
        new PipelineFixture(platform, CAMERAS)
            .set(StreamsAppConfig.MODELS_DIR, modelsDir.toAbsolutePath().toString())
            .set(StreamsAppConfig.MODEL_PUBLIC_KEY, ReleaseSignature.encode(trainer.getPublic()))
            .set(StreamsAppConfig.SAMPLE_RATE, 0.0)
            .set(
                StreamsConfig.STATE_DIR_CONFIG,
                Files.createTempDirectory(Paths.get("target", "tmp"), "hotswap-state-")
                    .toAbsolutePath()
                    .toString());
    Path releasedPkg = ModelFixtures.releasedPackage();
    String newVersion = releasedPkg.getFileName().toString();

    try (StreamsApp app = StreamsApp.start(fixture.config());
        KafkaProducer<byte[], byte[]> producer = fixture.producer();
        ModelArtifactPublisher publisher =
            new ModelArtifactPublisher(
                platform.clientConfig(),
                new AvroSerde<>(fixture.serdes().client(), ModelRelease.class).serializer(),
                fixture.topic(StreamsAppConfig.TOPIC_ARTIFACTS),
                fixture.topic(StreamsAppConfig.TOPIC_RELEASES),
                ArtifactChunkFormat.DEFAULT_CHUNK_BYTES,
                trainer.getPrivate())) {
      String oldVersion = app.models().currentVersion();
      assertThat(oldVersion).isNotEqualTo(newVersion);

      CompletableFuture<Void> flow =
          CompletableFuture.runAsync(
              () -> {
                for (int seq = 0; seq < FRAMES_PER_CAMERA; seq++) {
                  if (seq == SENT_AFTER_SWAP) {
                    await()
                        .atMost(Duration.ofSeconds(90))
                        .until(() -> app.models().currentVersion().equals(newVersion));
                  }
                  for (int cam = 0; cam < CAMERAS; cam++) {
                    String camera = TestFrames.camera(cam);
                    producer.send(
                        new ProducerRecord<>(
                            fixture.topic(StreamsAppConfig.TOPIC_RAW),
                            camera.getBytes(StandardCharsets.UTF_8),
                            fixture
                                .serdes()
                                .rawFrame()
                                .serializer()
                                .serialize(
                                    fixture.topic(StreamsAppConfig.TOPIC_RAW),
                                    TestFrames.raw(camera, seq, TestFrames.image(cam, seq)))));
                  }
                  producer.flush(); // a steady flow rather than one burst
                }
              });

      // while frames flow: a corrupt package is rejected and changes nothing
      await().atMost(Duration.ofSeconds(60)).until(() -> app.metrics().framesEncoded() >= 40);
      publisher.publishRelease(corruptRelease(publisher, releasedPkg, trainer));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> app.models().rejectionCount(RejectionReason.SHA256_MISMATCH) == 1);
      assertThat(app.models().currentVersion()).isEqualTo(oldVersion);
      assertThat(modelsDir.resolve(newVersion)).doesNotExist();

      // then the real release
      long encodedAtRelease = app.metrics().framesEncoded();
      publisher.publish(releasedPkg, SampleRecords.releaseToPublish());
      flow.get(120, TimeUnit.SECONDS);
      LOG.info(
          "release published after {} frames; swapped at {}",
          encodedAtRelease,
          app.models().lastSwap());

      List<LatentFrame> frames =
          fixture.readLatent(CAMERAS * FRAMES_PER_CAMERA, Duration.ofSeconds(120));
      PipelineFixture.assertEachFrameOnce(frames, CAMERAS * FRAMES_PER_CAMERA);

      Map<String, List<LatentFrame>> perCamera = new HashMap<>();
      frames.forEach(
          f -> perCamera.computeIfAbsent(f.getCameraId(), c -> new ArrayList<>()).add(f));
      int oldFrames = 0;
      for (List<LatentFrame> camera : perCamera.values()) {
        assertThat(camera).extracting(LatentFrame::getSequence).isSorted();
        List<String> versions = camera.stream().map(LatentFrame::getModelVersion).toList();
        int switches = 0;
        for (int i = 1; i < versions.size(); i++) {
          switches += versions.get(i).equals(versions.get(i - 1)) ? 0 : 1;
        }
        // at most one switch, from old to new (a camera whose first frame came after the swap has
        // none)
        assertThat(switches)
            .as("version switches of " + camera.get(0).getCameraId())
            .isLessThanOrEqualTo(1);
        assertThat(versions.get(0)).isIn(oldVersion, newVersion);
        assertThat(versions.get(versions.size() - 1)).isEqualTo(newVersion);
        assertThat(camera)
            .filteredOn(f -> f.getSequence() >= SENT_AFTER_SWAP)
            .extracting(LatentFrame::getModelVersion)
            .containsOnly(newVersion);
        // the first frame of the new model starts a new chain: a KEY frame of the new model
        LatentFrame firstNew =
            camera.stream()
                .filter(f -> f.getModelVersion().equals(newVersion))
                .findFirst()
                .orElseThrow();
        assertThat(firstNew.getFrameType())
            .as(firstNew.getCameraId() + "/" + firstNew.getSequence())
            .isEqualTo(FrameType.KEY);
        if (!versions.get(0).equals(newVersion)) {
          assertThat(firstNew.getKeyframeCause()).isEqualTo("MODEL_CHANGE");
        }
        oldFrames += (int) versions.stream().filter(oldVersion::equals).count();
      }
      assertThat(frames).filteredOn(f -> f.getModelVersion().equals(oldVersion)).isNotEmpty();

      // every committed frame decodes in order with the consumer API, across the swap (both models
      // needed)
      Map<String, byte[]> pictures;
      try (CodecModel before = CodecModel.load(ModelFixtures.initialPackage());
          CodecModel after = CodecModel.load(releasedPkg)) {
        ModelResolver both = version -> version.equals(before.version()) ? before : after;
        Chains.assertEveryFrameDecodes(frames, both);
        pictures = Chains.pictures(frames, both);
      }

      // frames of both versions decode over REST, each with its own version, to the codec's own
      // pixels
      LatentFrame oldFrame =
          frames.stream()
              .filter(f -> f.getModelVersion().equals(oldVersion))
              .findFirst()
              .orElseThrow();
      LatentFrame newFrame =
          frames.stream()
              .filter(f -> f.getModelVersion().equals(newVersion))
              .findFirst()
              .orElseThrow();
      HttpClient http = HttpClient.newHttpClient();
      for (LatentFrame f : List.of(oldFrame, newFrame)) {
        URI uri =
            app.http().baseUri().resolve("/frames/" + f.getCameraId() + "/" + f.getSequence());
        HttpResponse<byte[]> response =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(
                    () ->
                        http.send(
                            HttpRequest.newBuilder(uri).build(),
                            HttpResponse.BodyHandlers.ofByteArray()),
                    r -> r.statusCode() == 200);
        assertThat(response.headers().firstValue("X-Model-Version")).hasValue(f.getModelVersion());
        assertThat(ImageFiles.decode(response.body(), "response").pixels())
            .isEqualTo(pictures.get(f.getCameraId() + "/" + f.getSequence()));
      }

      HttpResponse<String> models =
          http.send(
              HttpRequest.newBuilder(app.http().baseUri().resolve("/models")).build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode json = new ObjectMapper().readTree(models.body());
      assertThat(json.path("current").asText()).isEqualTo(newVersion);
      assertThat(json.path("swaps").asLong()).isEqualTo(2);
      assertThat(json.path("rejections").path("SHA256_MISMATCH").asLong()).isEqualTo(1);
      assertThat(app.streams().state().isRunningOrRebalancing()).isTrue();
      LOG.info(
          "{} frames by {}, {} by {}; HotSwapIT took {} ms",
          oldFrames,
          oldVersion,
          frames.size() - oldFrames,
          newVersion,
          (System.nanoTime() - start) / 1_000_000);
    }
  }

  /**
   * The real package's release, whose chunks carry a flipped byte: the sha256 check must catch it.
   */
  private static ModelRelease corruptRelease(
      ModelArtifactPublisher publisher, Path pkg, KeyPair trainer) throws Exception {
    String version = pkg.getFileName().toString();
    byte[] archive = PackageArchive.pack(pkg);
    String sha = ArtifactChunkFormat.sha256(archive);
    byte[] corrupt = archive.clone();
    corrupt[corrupt.length / 3] ^= 0x01;
    ArtifactChunks chunks = publisher.publishChunks(version, corrupt);
    return ModelFixtures.release(version, sha, chunks, trainer.getPrivate());
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
