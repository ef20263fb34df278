package io.latentstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaBrokerTest {

  @TempDir Path dataDir;

  @Test
  void shouldUseReplicationFactorOneWhenSingleNode() {
    Properties p = LocalKafkaBroker.serverProperties(9092, 9093, dataDir.resolve("logs"), 1234);

    assertThat(p)
        .containsEntry("process.roles", "broker,controller")
        .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093")
        .containsEntry("controller.quorum.voters", "1@127.0.0.1:9093")
        .containsEntry("offsets.topic.replication.factor", "1")
        .containsEntry("transaction.state.log.replication.factor", "1")
        .containsEntry("transaction.state.log.min.isr", "1")
        .containsEntry("message.max.bytes", "1234")
        .containsEntry("replica.fetch.max.bytes", "1234")
        .containsEntry("log.dirs", dataDir.resolve("logs").toAbsolutePath().toString());
  }

  @Test
  void shouldFailBeforeStartingAnythingWhenBrokerPortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      LocalKafkaBroker.Builder builder =
          LocalKafkaBroker.builder()
              .setDataDir(dataDir)
              .optPort(port)
              .optControllerPort(LoopbackPorts.findFree());

      assertThatThrownBy(builder::start)
          .isInstanceOf(PortInUseException.class)
          .hasMessageContaining("port " + port + " (Kafka broker) is already in use");
      assertThat(dataDir).isEmptyDirectory();
    }
  }
}
