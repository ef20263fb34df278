package io.latentstream.streams;

import static io.latentstream.streams.PipelineFixture.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.FixtureModels;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.testkit.RealPlatform;
import io.latentstream.testkit.TestPlatform;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acceptance 5 of the streams app: with two instances, a REST decode through either one returns the
 * frame owned by the other; and while one instance leaves (a rebalance moves its partitions and
 * their stores to the survivor), queries keep getting the right frame or a 503 with {@code
 * Retry-After}, never an error, and afterwards the survivor answers everything itself.
 */
@RealPlatform
class OnDemandDecodeIT {
  private static final Logger LOG = LoggerFactory.getLogger(OnDemandDecodeIT.class);
  private static final int CAMERAS = 4;
  private static final int FRAMES = 3;

  @Test
  void shouldServeFramesOwnedByTheOtherInstanceBeforeDuringAndAfterItLeaves(TestPlatform platform)
      throws Exception {
    long start = System.nanoTime();
    PipelineFixture fixture =
        new PipelineFixture(platform, CAMERAS).set(StreamsAppConfig.SAMPLE_RATE, 0.0);
    StreamsAppConfig first = fixture.config();
    StreamsAppConfig second = fixture.anotherInstance("leaving");
    HttpClient http = HttpClient.newHttpClient();
    try (StreamsApp survivor = StreamsApp.start(first);
        KafkaProducer<byte[], byte[]> producer = fixture.producer();
        CodecModel model = CodecModel.load(FixtureModels.level(2))) {
      LearnedCodec codec = LearnedCodec.of(model);
      StreamsApp leaving = StreamsApp.start(second);
      try {
        fixture.sendFrames(producer, CAMERAS, FRAMES);
        List<LatentFrame> frames = fixture.readLatent(CAMERAS * FRAMES, Duration.ofSeconds(120));
        assertThat(frames).hasSize(CAMERAS * FRAMES);
        Map<String, byte[]> expected = Chains.pictures(frames, LearnedCodec.only(model));
        assertThat(expected).hasSize(frames.size());
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    survivor.streams().state() == KafkaStreams.State.RUNNING
                        && leaving.streams().state() == KafkaStreams.State.RUNNING);

        Map<String, Integer> servedByOther = new HashMap<>();
        for (LatentFrame f : frames) {
          for (StreamsApp asked : List.of(survivor, leaving)) {
            URI uri = frameUri(asked, f);
            HttpResponse<byte[]> r =
                await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> get(http, uri), resp -> resp.statusCode() == 200);
            assertThat(r.body()).as(uri.toString()).isEqualTo(expected.get(id(f)));
            if (!servedBy(r).endsWith(":" + asked.http().port())) {
              servedByOther.merge(asked == survivor ? "survivor" : "leaving", 1, Integer::sum);
            }
          }
        }
        LOG.info("answers served by the other instance: {}", servedByOther);
        assertThat(servedByOther.values().stream().mapToInt(Integer::intValue).sum()).isPositive();

        // queries through the survivor while the other instance leaves and its partitions move over
        AtomicBoolean stop = new AtomicBoolean();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicInteger wrongBodies = new AtomicInteger();
        AtomicInteger missingRetryAfter = new AtomicInteger();
        CompletableFuture<Void> queries =
            CompletableFuture.runAsync(
                () -> {
                  while (!stop.get()) {
                    for (LatentFrame f : frames) {
                      try {
                        HttpResponse<byte[]> r = get(http, frameUri(survivor, f));
                        statuses
                            .computeIfAbsent(r.statusCode(), s -> new AtomicInteger())
                            .incrementAndGet();
                        if (r.statusCode() == 200
                            && !java.util.Arrays.equals(r.body(), expected.get(id(f)))) {
                          wrongBodies.incrementAndGet();
                        }
                        if (r.statusCode() == 503
                            && r.headers().firstValue("Retry-After").isEmpty()) {
                          missingRetryAfter.incrementAndGet();
                        }
                      } catch (Exception e) {
                        statuses.computeIfAbsent(-1, s -> new AtomicInteger()).incrementAndGet();
                      }
                    }
                  }
                });
        leaving.close();
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    frames.stream()
                        .allMatch(
                            f -> {
                              HttpResponse<byte[]> r = get(http, frameUri(survivor, f));
                              return r.statusCode() == 200
                                  && servedBy(r).endsWith(":" + survivor.http().port());
                            }));
        stop.set(true);
        queries.get(60, TimeUnit.SECONDS);
        LOG.info("status codes while the other instance left: {}", statuses);
        assertThat(statuses.keySet()).isSubsetOf(200, 503).contains(200);
        assertThat(wrongBodies.get()).isZero();
        assertThat(missingRetryAfter.get()).isZero();
      } finally {
        leaving.close();
      }
    }
    LOG.info("OnDemandDecodeIT took {} ms", (System.nanoTime() - start) / 1_000_000);
  }

  private static String id(LatentFrame f) {
    return f.getCameraId() + "/" + f.getSequence();
  }

  private static URI frameUri(StreamsApp app, LatentFrame f) {
    return app.http()
        .baseUri()
        .resolve("/frames/" + f.getCameraId() + "/" + f.getSequence() + "?format=raw");
  }

  private static String servedBy(HttpResponse<?> r) {
    return r.headers().firstValue("X-Served-By").orElse("");
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
