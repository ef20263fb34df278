package io.latentstream.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium for the tests that check what a browser shows (the live page, the demo report):
 * Debian's package {@code chromium} at {@code /usr/bin/chromium}, or the binary named by the system
 * property {@code latentstream.chromium}. Its absence fails the test with a message saying how to
 * install it; {@code .ci/run} installs it.
 */
public final class HeadlessChromium {

  /** How long one Chromium run may take before the test fails. */
  private static final Duration LIMIT = Duration.ofSeconds(90);

  private final Path binary;

  private HeadlessChromium(Path binary) {
    this.binary = binary;
  }

  /**
   * The browser, or an {@link AssertionError} that names {@code test} and how to install it.
   *
   * @param test the test that needs it, for the message
   */
  public static HeadlessChromium require(String test) {
    Path path = Paths.get(System.getProperty("latentstream.chromium", "/usr/bin/chromium"));
    if (!Files.isExecutable(path)) {
      throw new AssertionError(
          test
              + " needs headless Chromium at "
              + path
              + " (Debian: apt-get install chromium; .ci/run installs it;"
              + " -Dlatentstream.chromium=PATH picks another)");
    }
    return new HeadlessChromium(path);
  }

  /**
   * Opens {@code url} in a fresh profile, lets the page run for {@code virtualTime} of virtual time
   * (timers, fetches, images) and waits for the browser to exit.
   *
   * @param log where Chromium's standard error goes
   * @param stdout where its standard output goes ({@code --dump-dom} writes the DOM there)
   * @param mode what to do with the page, e.g. {@code --dump-dom} or {@code --screenshot=FILE}
   * @throws AssertionError when it runs longer than 90 s or exits with a non-zero status
   */
  public void run(String url, Duration virtualTime, Path log, Path stdout, String... mode)
      throws IOException, InterruptedException {
    Path tmp = Files.createDirectories(Paths.get("target", "tmp"));
    Path profile = Files.createTempDirectory(tmp, "chromium-");
    List<String> command =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=" + virtualTime.toMillis()));
    command.addAll(List.of(mode));
    command.add(url);
    Process p =
        new ProcessBuilder(command)
            .redirectError(log.toFile())
            .redirectOutput(stdout.toFile())
            .start();
    if (!p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError(
          "chromium did not finish within " + LIMIT.toSeconds() + " s; its log: " + log);
    }
    if (p.exitValue() != 0) {
      throw new AssertionError(
          "chromium exited with status " + p.exitValue() + "; its log: " + log.toAbsolutePath());
    }
  }
}
