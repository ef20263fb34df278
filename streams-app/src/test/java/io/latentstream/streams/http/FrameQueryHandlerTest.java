package io.latentstream.streams.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.platform.LoopbackPorts;
import io.latentstream.streams.metrics.PipelineMetrics;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** How long a frame query may hold a worker when this instance does not own the camera. */
class FrameQueryHandlerTest {
  private static final Duration REBALANCE_WAIT = Duration.ofSeconds(5);

  /**
   * A running client (never started) whose metadata names another instance as every camera's owner.
   */
  private static final class OwnedElsewhere extends KafkaStreams {
    private final HostInfo owner;

    OwnedElsewhere(Properties props, HostInfo owner) {
      super(topology(), props);
      this.owner = owner;
    }

    private static org.apache.kafka.streams.Topology topology() {
      StreamsBuilder builder = new StreamsBuilder();
      builder.stream("in").to("out");
      return builder.build();
    }

    @Override
    public State state() {
      return State.RUNNING;
    }

    @Override
    public <K> KeyQueryMetadata queryMetadataForKey(
        String storeName, K key, Serializer<K> keySerializer) {
      return new KeyQueryMetadata(owner, Set.of(), 0);
    }
  }

  @Test
  void shouldAnswerAForwardedQueryAtOnceWhenAnotherInstanceOwnsTheCamera() throws Exception {
    int deadPort = LoopbackPorts.findFree();
    Path stateDir =
        Files.createTempDirectory(
            Files.createDirectories(Paths.get("target", "tmp")), "fqh-state-");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "frame-query-handler-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + deadPort);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    try (KafkaStreams streams = new OwnedElsewhere(props, new HostInfo("127.0.0.1", deadPort));
        HttpServerRunner server =
            new HttpServerRunner(
                new HttpServerRunner.Settings(
                    "127.0.0.1", 0, Optional.empty(), Optional.empty(), Optional.empty(), 2, 2, 0),
                () -> true,
                new PipelineMetrics(),
                Map.of())) {
      server.mount(
          FrameQueryHandler.CONTEXT,
          new FrameQueryHandler(
              streams, new HostInfo("127.0.0.1", server.port()), null, false, REBALANCE_WAIT));
      server.start();

      // any client can send the header: it must not buy a worker for the whole rebalance wait
      long t0 = System.nanoTime();
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(server.baseUri().resolve("/frames/cam-1/7"))
                      .header(FrameQueryHandler.FORWARDED, "1")
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      Duration took = Duration.ofNanos(System.nanoTime() - t0);

      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.headers().firstValue("Retry-After")).isPresent();
      assertThat(took).isLessThan(Duration.ofSeconds(1));
    }
  }
}
