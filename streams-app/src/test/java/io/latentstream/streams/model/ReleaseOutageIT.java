package io.latentstream.streams.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.latentstream.platform.LocalPlatform;
import io.latentstream.platform.LocalSchemaRegistry;
import io.latentstream.platform.LoopbackPorts;
import io.latentstream.schemas.ArtifactChunks;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.SampleRecords;
import io.latentstream.schemas.artifacts.ModelArtifactPublisher;
import io.latentstream.schemas.artifacts.ReleaseSignature;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.registry.SchemaRegistryConfig;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.streams.config.StreamsAppConfig;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A release published while the schema registry is down is installed once the registry is back: the
 * watcher reads the record again instead of rejecting it, and stays healthy (ready) meanwhile. A
 * platform of its own (real broker, real registry) because the test stops and restarts the
 * registry.
 */
class ReleaseOutageIT {
  private static final String RELEASES = "models.releases";
  private static final String ARTIFACTS = "models.artifacts";

  @TempDir Path tmp;

  @Test
  void shouldInstallAReleasePublishedWhileTheRegistryWasDownOnceItIsBack() throws Exception {
    Path dataDir = tmp.resolve("platform");
    int registryPort = LoopbackPorts.findFree();
    KeyPair keys = ReleaseSignature.generateKeyPair();
    Path modelsDir = ModelFixtures.modelsDirWithInitial(tmp.resolve("models"));
    LocalSchemaRegistry restarted = null;
    try (LocalPlatform platform =
        LocalPlatform.builder()
            .optDataDir(dataDir)
            .optBrokerPort(LoopbackPorts.findFree())
            .optControllerPort(LoopbackPorts.findFree())
            .optRegistryPort(registryPort)
            .start()) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", platform.bootstrapServers()))) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(RELEASES, 1, (short) 1)
                        .configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(ARTIFACTS, 1, (short) 1)
                        .configs(Map.of("cleanup.policy", "compact"))))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      // the trainer's serializer has the schema id cached, so it publishes while the registry is
      // down
      AvroSerde<ModelRelease> trainerSerde =
          new AvroSerde<>(
              new SchemaRegistryClient(SchemaRegistryConfig.of(platform.registryUrl())),
              ModelRelease.class);
      Path pkg = ModelFixtures.releasedPackage();
      String version = pkg.getFileName().toString();
      trainerSerde
          .serializer()
          .serialize(
              RELEASES,
              ModelFixtures.release(version, "00", new ArtifactChunks(ARTIFACTS, 1, 1L), null));
      // the instance's registry client has cached nothing and gives up quickly on an unreachable
      // registry
      AvroSerde<ModelRelease> instanceSerde =
          new AvroSerde<>(
              new SchemaRegistryClient(
                  SchemaRegistryConfig.of(platform.registryUrl())
                      .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2))
                      .withRetries(2, Duration.ofMillis(50), Duration.ofMillis(100))),
              ModelRelease.class);
      Map<String, Object> config = new HashMap<>();
      config.put(StreamsAppConfig.BOOTSTRAP_SERVERS, platform.bootstrapServers());
      config.put(StreamsAppConfig.TOPIC_RELEASES, RELEASES);
      config.put(StreamsAppConfig.TOPIC_ARTIFACTS, ARTIFACTS);
      config.put(StreamsAppConfig.MODELS_DIR, modelsDir.toString());
      config.put(StreamsAppConfig.MODEL_PUBLIC_KEY, ReleaseSignature.encode(keys.getPublic()));
      try (ActiveModels activeModels = new ActiveModels(modelsDir, ModelFixtures.MODEL_NAME, 2);
          ModelArtifactPublisher publisher =
              new ModelArtifactPublisher(
                  Map.of("bootstrap.servers", platform.bootstrapServers()),
                  trainerSerde.serializer(),
                  ARTIFACTS,
                  RELEASES,
                  1024,
                  keys.getPrivate());
          ReleaseWatcher watcher =
              new ReleaseWatcher(
                  StreamsAppConfig.of(config), activeModels, instanceSerde.deserializer())) {
        activeModels.loadNewestLocal();
        String initial = activeModels.currentVersion();
        watcher.start();
        assertThat(watcher.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();

        platform.registry().close();
        publisher.publish(pkg, SampleRecords.releaseToPublish());

        // the release arrives while the registry is down: read again later, not rejected, still
        // ready
        await().atMost(Duration.ofSeconds(60)).until(() -> watcher.retryCount() >= 2);
        assertThat(activeModels.currentVersion()).isEqualTo(initial);
        assertThat(activeModels.rejectionCounts().values()).containsOnly(0L);
        assertThat(watcher.isHealthy()).isTrue();

        restarted =
            LocalSchemaRegistry.builder()
                .setDataDir(dataDir.resolve("registry"))
                .optStorageDir(dataDir.resolve("registry").resolve("db"))
                .optPort(registryPort)
                .start();

        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> activeModels.currentVersion().equals(version));
        assertThat(activeModels.rejectionCounts().values()).containsOnly(0L);
        assertThat(watcher.isHealthy()).isTrue();
      }
    } finally {
      if (restarted != null) {
        restarted.close();
      }
    }
  }
}
