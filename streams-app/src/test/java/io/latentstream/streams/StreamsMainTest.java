package io.latentstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.streams.config.StreamsAppConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line and the Kafka Streams settings it derives from the configuration. */
class StreamsMainTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(Map<String, String> env, String... args) {
    CommandLine cli = new CommandLine(new StreamsMain(env));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void shouldPrintEveryKeyWhenAskedForTheConfigTable() {
    assertThat(run(Map.of(), "--print-config-table")).isZero();
    for (String key : StreamsAppConfig.CONFIG_DEF.names()) {
      assertThat(out.toString()).contains("| `" + key + "` |");
    }
  }

  @Test
  void shouldFailWithTheKeyNamedWhenAValueIsInvalid(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("app.properties"), "http.port=not-a-port\n");

    assertThat(run(Map.of(), "--config", file.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("http.port").contains("not-a-port").doesNotContain("\tat ");
  }

  @Test
  void shouldFailWithTheKeyNamedWhenTheEnvironmentOverridesBadly() {
    assertThat(run(Map.of("LATENTSTREAM_SAMPLE_RATE", "2.5"))).isEqualTo(2);
    assertThat(err.toString()).contains("sample.rate");
  }

  @Test
  void shouldSetExactlyOnceStaticMembershipAndSizeLimitsWhenBuildingStreamsSettings() {
    StreamsAppConfig config =
        StreamsAppConfig.of(
            Map.of(
                StreamsAppConfig.FRAME_MAX_BYTES,
                2_000_000,
                StreamsAppConfig.GROUP_INSTANCE_ID,
                "encoder-a",
                "processing.guarantee",
                "at_least_once",
                "security.protocol",
                "SSL"));

    Properties p = StreamsApp.streamsProperties(config, "10.0.0.7:8080");

    assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(p.get(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)))
        .isEqualTo("encoder-a");
    assertThat(p.get(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)))
        .isEqualTo(2_000_000 + 64 * 1024);
    assertThat(p.get(StreamsConfig.topicPrefix("max.message.bytes")))
        .isEqualTo(Integer.toString(2_000_000 + 64 * 1024));
    assertThat(p.get(StreamsConfig.APPLICATION_SERVER_CONFIG)).isEqualTo("10.0.0.7:8080");
    assertThat(p.get("security.protocol")).isEqualTo("SSL");
  }

  @Test
  void
      shouldDefaultTheGroupInstanceIdToOnePerStateDirectoryStableAcrossRestartsWhenNoneIsConfigured(
          @TempDir Path dir) throws Exception {
    StreamsAppConfig first =
        StreamsAppConfig.of(Map.of(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("a").toString()));
    StreamsAppConfig second =
        StreamsAppConfig.of(Map.of(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("b").toString()));

    String id = StreamsApp.groupInstanceId(first);

    assertThat(id).startsWith(hostName() + "-");
    // a second instance on the same host (it needs a state directory of its own) must not fence the
    // first
    assertThat(StreamsApp.groupInstanceId(second)).isNotEqualTo(id);
    // a restart keeps the id, so static membership gives the instance its partitions back
    assertThat(StreamsApp.groupInstanceId(first)).isEqualTo(id);
  }

  private static String hostName() throws Exception {
    String host = System.getenv("HOSTNAME");
    return host == null || host.isBlank() ? InetAddress.getLocalHost().getHostName() : host;
  }
}
