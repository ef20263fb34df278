package io.latentstream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.platform.LoopbackPorts;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.registry.RegistryUnavailableException;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.errors.TransientFailureExceptionHandler;
import io.latentstream.streams.metrics.PipelineMetrics;
import io.latentstream.streams.topology.EncodeTopology;
import io.latentstream.streams.topology.Topics;
import io.latentstream.testkit.InstanceProbes;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failover with key and delta frames. Two instances share the cameras; one, a separate JVM, is
 * killed with SIGKILL in the middle of the stream and of its cameras' chains (no clean close, an
 * open transaction left behind); the other takes its partitions over and finishes. And a
 * transaction aborted on purpose: a stream thread fails on a transient error mid-transaction and is
 * replaced. Afterwards every frame is in {@code images.latent} exactly once (read_committed), and
 * every committed record decodes with the consumer API in topic order: no DELTA refers to a frame a
 * consumer cannot have; the moved cameras' chains restart with a KEY frame (cause RESET).
 */
@RealPlatform
class TemporalFailoverIT {

  private static final Logger LOG = LoggerFactory.getLogger(TemporalFailoverIT.class);
  private static final int CAMERAS = 8;
  private static final int FRAMES = 125;

  @Test
  void shouldEncodeEveryFrameExactlyOnceWhenOneOfTwoInstancesIsKilledMidStream(
      TestPlatform platform) throws Exception {
    long start = System.nanoTime();
    // a short session timeout: a killed static member keeps its partitions until its session
    // expires
    PipelineFixture fixture =
        new PipelineFixture(platform, 4)
            .set(StreamsAppConfig.SAMPLE_RATE, 0.0)
            .set(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
    StreamsAppConfig survivorConfig = fixture.config();
    String app = (String) survivorConfig.originals().get(StreamsAppConfig.APPLICATION_ID);
    int victimPort = LoopbackPorts.findFree();
    Path victimProperties = victimConfig(fixture, app, victimPort);
    String latent = fixture.topic(StreamsAppConfig.TOPIC_LATENT);
    Process victim = null;
    try (StreamsApp survivor = StreamsApp.start(survivorConfig);
        KafkaProducer<byte[], byte[]> producer = fixture.producer()) {
      victim = startVictim(victimProperties, Paths.get("target", app + "-victim.log"));
      Process v = victim;
      URI victimUri = URI.create("http://127.0.0.1:" + victimPort);
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> {
                if (!v.isAlive()) {
                  throw new IllegalStateException(
                      "the second instance exited with " + v.exitValue());
                }
                return InstanceProbes.isReady(victimUri);
              });
      // the victim owns some raw partitions (encode tasks are sub-topology 0) before frames flow
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  survivor.streams().metadataForLocalThreads().stream()
                          .flatMap(t -> t.activeTasks().stream())
                          .filter(t -> t.taskId().subtopology() == 0)
                          .count()
                      < fixture.config().getInt(StreamsAppConfig.TOPIC_PARTITIONS));

      fixture.sendFrames(producer, CAMERAS, 0, FRAMES / 2);
      // the victim has encoded part of its share when it dies
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> InstanceProbes.framesEncoded(victimUri, null) >= 10);
      LOG.info(
          "killing the second instance (pid {}) after it encoded {} frames",
          v.pid(),
          InstanceProbes.framesEncoded(victimUri, null));
      v.destroyForcibly().waitFor();
      fixture.sendFrames(producer, CAMERAS, FRAMES / 2, FRAMES);

      List<LatentFrame> latents = fixture.readLatent(CAMERAS * FRAMES, Duration.ofSeconds(120));
      PipelineFixture.assertEachFrameOnce(latents, CAMERAS * FRAMES);
      assertThat(survivor.isReady()).isTrue();
      assertDecodableWithResets(latents);
    } finally {
      if (victim != null) {
        victim.destroyForcibly();
      }
    }
    LOG.info("FailoverIT took {} ms", (System.nanoTime() - start) / 1_000_000);
  }

  @Test
  void shouldKeepEveryCommittedChainDecodableWhenATransactionIsAbortedMidChain(
      TestPlatform platform) throws Exception {
    PipelineFixture fixture =
        new PipelineFixture(platform, 2).set(StreamsAppConfig.SAMPLE_RATE, 0.0);
    StreamsAppConfig config = fixture.config();
    try (Admin admin = Admin.create(StreamsApp.adminConfig(config))) {
      Topics.ensure(admin, Topics.specs(config), true);
    }
    String latent = fixture.topic(StreamsAppConfig.TOPIC_LATENT);
    AtomicInteger calls = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    try (CodecModel model = CodecModel.load(FixtureModels.level(2));
        KafkaProducer<byte[], byte[]> producer = fixture.producer()) {
      LearnedCodec codec = LearnedCodec.of(model);
      // once the first half is committed, the 40th frame of the second half fails its codec lookup
      // as if the
      // registry were away: the thread dies mid-transaction (the frames before it in this
      // transaction are already
      // sent), the transaction is aborted, the thread replaced
      int failAt = CAMERAS * FRAMES / 2 + 40;
      Supplier<LearnedCodec> codecs =
          () -> {
            if (calls.incrementAndGet() == failAt && failed.compareAndSet(false, true)) {
              throw new RegistryUnavailableException("injected outage", 503, null);
            }
            return codec;
          };
      PipelineMetrics metrics = new PipelineMetrics();
      Properties props = StreamsApp.streamsProperties(config, "127.0.0.1:1");
      // long transactions: the injected failure lands in the middle of one with many frames
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
      try (KafkaStreams streams =
          new KafkaStreams(
              EncodeTopology.build(
                  EncodeTopology.Settings.from(config), fixture.serdes(), codecs, metrics),
              props)) {
        streams.setUncaughtExceptionHandler(new TransientFailureExceptionHandler());
        streams.start();
        fixture.sendFrames(producer, CAMERAS, 0, FRAMES / 2);
        assertThat(fixture.readCommitted(latent, CAMERAS * (FRAMES / 2), Duration.ofSeconds(60)))
            .hasSize(CAMERAS * (FRAMES / 2));
        fixture.sendFrames(producer, CAMERAS, FRAMES / 2, FRAMES);
        List<LatentFrame> latents = fixture.readLatent(CAMERAS * FRAMES, Duration.ofSeconds(120));
        assertThat(failed).isTrue();
        PipelineFixture.assertEachFrameOnce(latents, CAMERAS * FRAMES);
        // the aborted frames were encoded twice in all, once in the aborted transaction
        assertThat(metrics.framesEncoded()).isGreaterThan(CAMERAS * FRAMES);
        assertDecodableWithResets(latents);
      }
    }
  }

  /**
   * Every committed frame decodes in topic order; some chains restarted after the failure (KEY,
   * cause RESET).
   */
  private static void assertDecodableWithResets(List<LatentFrame> latents) {
    try (CodecModel model = CodecModel.load(FixtureModels.level(2))) {
      Map<FrameType, Integer> types =
          Chains.assertEveryFrameDecodes(latents, LearnedCodec.only(model));
      assertThat(types.get(FrameType.DELTA)).isGreaterThan(latents.size() / 2);
    }
    long resets = latents.stream().filter(f -> "RESET".equals(f.getKeyframeCause())).count();
    LOG.info("{} chains restarted with a KEY frame after the failure", resets);
    assertThat(resets).isPositive();
  }

  /**
   * The same application as the fixture's, with its own instance id, state directory and HTTP port.
   */
  private static Path victimConfig(PipelineFixture fixture, String app, int port)
      throws IOException {
    Properties p = new Properties();
    fixture.config().originals().forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
    p.setProperty(StreamsAppConfig.GROUP_INSTANCE_ID, app + "-victim");
    p.setProperty(
        StreamsConfig.STATE_DIR_CONFIG, PipelineFixture.freshDirectory(app + "-victim-state-"));
    p.setProperty(StreamsAppConfig.HTTP_PORT, Integer.toString(port));
    Path file = Paths.get(PipelineFixture.freshDirectory(app + "-victim-"), "streams.properties");
    try (OutputStream out = Files.newOutputStream(file)) {
      p.store(out, "FailoverIT victim instance");
    }
    return file;
  }

  /** {@code StreamsMain} in a JVM of its own (the test JVM's classpath and native library path). */
  private static Process startVictim(Path properties, Path log) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Djava.library.path=" + System.getProperty("java.library.path"),
                "-Dlatentstream.root=" + System.getProperty("latentstream.root", ".."),
                "-cp",
                System.getProperty("java.class.path"),
                StreamsMain.class.getName(),
                "--config",
                properties.toString()));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }
}
