package io.latentstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {

  @Test
  void shouldNamePortAndOwnerWhenPortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      assertThatThrownBy(() -> LoopbackPorts.requireFree(port, "Kafka broker", "--broker-port"))
          .isInstanceOfSatisfying(
              PortInUseException.class,
              e -> {
                assertThat(e.port()).isEqualTo(port);
                assertThat(e.wantedBy()).isEqualTo("Kafka broker");
              })
          .hasMessage(
              "port "
                  + port
                  + " (Kafka broker) is already in use on 127.0.0.1; "
                  + "stop the other process or choose another port with --broker-port");
    }
  }

  @Test
  void shouldDetectPortTakenOnAllInterfacesWhenCheckingLoopback() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
      assertThat(LoopbackPorts.isFree(taken.getLocalPort())).isFalse();
    }
  }

  @Test
  void shouldAcceptPortWhenNobodyListens() {
    int port = LoopbackPorts.findFree();

    LoopbackPorts.requireFree(port, "schema registry", "--registry-port");
    assertThat(LoopbackPorts.isFree(port)).isTrue();
  }
}
