package io.latentstream.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Port checks on the loopback interface, where every local service of this module listens.
 *
 * <p>Stateless and thread-safe. A free port may of course be taken by someone else between the
 * check and the actual bind; the check exists to turn the common case (a leftover broker on 9092)
 * into a clear message.
 */
public final class LoopbackPorts {
  /** The address every local service binds. */
  public static final String HOST = "127.0.0.1";

  private LoopbackPorts() {}

  /**
   * Fails at once when {@code port} cannot be bound on 127.0.0.1.
   *
   * @param port the port to test
   * @param wantedBy what wants the port, named in the error
   * @param hint how the user chooses another port, named in the error
   * @throws PortInUseException when the bind test fails
   */
  public static void requireFree(int port, String wantedBy, String hint) {
    if (!isFree(port)) {
      throw new PortInUseException(port, wantedBy, hint);
    }
  }

  /** Whether a server socket can bind {@code port} on 127.0.0.1 right now. */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      // Same option as the servers we start, so a socket in TIME_WAIT does not count as taken.
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(loopback(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A port that was free on 127.0.0.1 a moment ago (ephemeral range). */
  public static int findFree() {
    try (ServerSocket socket = new ServerSocket(0, 1, loopback())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + HOST, e);
    }
  }

  /** {@code n} distinct ports that were free on 127.0.0.1 a moment ago. */
  public static List<Integer> findFree(int n) {
    Set<Integer> ports = new LinkedHashSet<>();
    while (ports.size() < n) {
      ports.add(findFree());
    }
    return List.copyOf(ports);
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByName(HOST);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
