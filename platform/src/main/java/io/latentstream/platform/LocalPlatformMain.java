package io.latentstream.platform;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the local platform in the foreground until Ctrl-C or SIGTERM: {@code java
 * io.latentstream.platform.LocalPlatformMain [--broker-port N] [--controller-port N]
 * [--registry-port N] [--data-dir DIR]}.
 *
 * <p>Exit codes: 0 after a clean stop, 1 when start-up fails, 2 on bad arguments.
 */
public final class LocalPlatformMain {
  private LocalPlatformMain() {}

  public static void main(String[] args) throws InterruptedException {
    LocalPlatform.Builder builder = LocalPlatform.builder();
    try {
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--broker-port" -> builder.optBrokerPort(Integer.parseInt(required(args[i], value)));
          case "--controller-port" ->
              builder.optControllerPort(Integer.parseInt(required(args[i], value)));
          case "--registry-port" ->
              builder.optRegistryPort(Integer.parseInt(required(args[i], value)));
          case "--data-dir" -> builder.optDataDir(Path.of(required(args[i], value)));
          case "-h", "--help" -> {
            System.out.println(
                "options: --broker-port N (9092) --controller-port N (9093) "
                    + "--registry-port N (8081) --data-dir DIR (.latentstream/local)");
            return;
          }
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
        i++;
      }
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }

    LocalPlatform platform;
    try {
      platform = builder.start();
    } catch (IllegalStateException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("stopping the local platform ...");
                  platform.close();
                  stopped.countDown();
                },
                "local-platform-stop"));
    System.out.println("Kafka bootstrap servers: " + platform.bootstrapServers());
    System.out.println("Schema registry (Confluent API): " + platform.registryUrl());
    System.out.println("Press Ctrl-C to stop.");
    stopped.await();
  }

  private static String required(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }
}
