package io.latentstream.streams;

import io.latentstream.codec.CodecException;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.errors.TopicConfigurationException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./latentstream streams --config FILE}: runs one instance of the service until SIGTERM (or
 * Ctrl-C), then closes it gracefully: the streams client leaves the consumer group so another
 * instance takes its partitions at once. Exit codes: 0 after a requested shutdown, 1 when the
 * service stopped on an error, 2 for configuration errors found at start (one line naming the key
 * or topic, no stack trace). One instance per command line; not thread-safe. The app it starts is
 * closed by the shutdown hook or when it stops on an error.
 */
@Command(
    name = "streams",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the latentstream streams service: encode images.raw to images.latent, the on-demand decode"
          + " mirror, model hot swap, HTTP health/ready/metrics/frames/models.",
      "Configuration: defaults < --config file < environment (LATENTSTREAM_FOO_BAR sets foo.bar; KAFKA_* and"
          + " unknown keys pass through to the Kafka clients)."
    })
public final class StreamsMain implements Callable<Integer> {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Properties file with the settings.")
  Path configFile;

  @Option(
      names = "--print-config-table",
      description = "Print every setting as a Markdown table and exit.")
  boolean printConfigTable;

  @Spec CommandSpec spec;

  private final Map<String, String> environment;

  public StreamsMain() {
    this(System.getenv());
  }

  StreamsMain(Map<String, String> environment) {
    this.environment = environment;
  }

  /**
   * The status {@link #main} exits with, once known; read by the shutdown hook. A JVM stopped by a
   * signal exits with 128 + the signal's number (143 for SIGTERM) even when every hook finished
   * cleanly, and a {@code System.exit} called while the hooks run blocks; so the hook, once the app
   * is closed, ends the process itself with this status, or 0 when the stop was requested from
   * outside (SIGTERM, Ctrl-C): the documented status of a graceful stop.
   */
  private static volatile int exitStatus = 0;

  /**
   * Whether {@link #call} ends the process from its shutdown hook; only the real entry point does.
   */
  private boolean ownsProcess;

  public static void main(String[] args) {
    StreamsMain main = new StreamsMain();
    main.ownsProcess = true;
    exitStatus = new CommandLine(main).execute(args);
    System.exit(exitStatus);
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (printConfigTable) {
      out.print(StreamsAppConfig.markdownTable());
      out.flush();
      return 0;
    }
    StreamsApp app;
    try {
      app = StreamsApp.start(StreamsAppConfig.load(configFile, environment));
    } catch (ConfigException | TopicConfigurationException | CodecException e) {
      err.println("latentstream streams: cannot start: " + e.getMessage());
      return 2;
    } catch (IllegalStateException | KafkaException e) {
      err.println("latentstream streams: cannot start: " + e.getMessage());
      return 1;
    }
    Thread hook =
        new Thread(
            () -> {
              app.close();
              if (ownsProcess) {
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(exitStatus);
              }
            },
            "latentstream-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    boolean clean = app.awaitStop();
    if (!clean) {
      err.println(
          "latentstream streams: the streams client stopped on an error (see the log); exiting");
      app.close();
      return 1;
    }
    return 0;
  }
}
