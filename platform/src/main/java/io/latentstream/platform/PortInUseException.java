package io.latentstream.platform;

/**
 * A port that a local service needs is already bound on 127.0.0.1 by some other process.
 *
 * <p>Thrown before any child process starts, so nothing needs cleaning up. Immutable.
 */
public final class PortInUseException extends IllegalStateException {
  private final int port;
  private final String wantedBy;

  /**
   * @param port the taken port
   * @param wantedBy what wanted it, e.g. "Kafka broker"
   * @param hint how to choose another port, e.g. "--broker-port"
   */
  public PortInUseException(int port, String wantedBy, String hint) {
    super(
        "port "
            + port
            + " ("
            + wantedBy
            + ") is already in use on 127.0.0.1; "
            + "stop the other process or choose another port with "
            + hint);
    this.port = port;
    this.wantedBy = wantedBy;
  }

  /** The port that is taken. */
  public int port() {
    return port;
  }

  /** What wanted the port, e.g. "Kafka broker". */
  public String wantedBy() {
    return wantedBy;
  }
}
