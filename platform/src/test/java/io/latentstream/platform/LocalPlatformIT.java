package io.latentstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPlatformIT {

  @TempDir Path dataDir;

  @Test
  void shouldServeBrokerAndRegistryAndLeaveNoChildWhenClosed() throws Exception {
    LocalPlatform platform = builder().start();
    List<ProcessHandle> children;
    try {
      children = ourChildren();
      assertThat(children)
          .extracting(ProcessHandle::pid)
          .contains(platform.broker().process().pid(), platform.registry().process().pid());

      HttpResponse<String> subjects =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(platform.registryUrl() + "/subjects"))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(subjects.statusCode()).isEqualTo(200);
      assertThat(subjects.body()).isEqualTo("[]");

      try (Admin admin = Admin.create(Map.of("bootstrap.servers", platform.bootstrapServers()))) {
        assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
      }
    } finally {
      platform.close();
    }
    platform.close();

    assertThat(children).noneMatch(ProcessHandle::isAlive);
    assertThat(ourChildren()).isEmpty();
  }

  @Test
  void shouldStartNothingWhenRegistryPortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      LocalPlatform.Builder builder = builder().optRegistryPort(taken.getLocalPort());

      assertThatThrownBy(builder::start)
          .isInstanceOf(PortInUseException.class)
          .hasMessageContaining("port " + taken.getLocalPort() + " (schema registry)")
          .hasMessageContaining("--registry-port");
      assertThat(ourChildren()).isEmpty();
    }
  }

  private LocalPlatform.Builder builder() {
    return LocalPlatform.builder()
        .optDataDir(dataDir)
        .optBrokerPort(LoopbackPorts.findFree())
        .optControllerPort(LoopbackPorts.findFree())
        .optRegistryPort(LoopbackPorts.findFree());
  }

  /** Live child JVMs started by this JVM through {@link ChildJvm}. */
  private static List<ProcessHandle> ourChildren() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().orElse("").contains(ParentWatchdog.class.getName()))
        .toList();
  }
}
