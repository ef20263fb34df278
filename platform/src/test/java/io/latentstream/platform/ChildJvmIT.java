package io.latentstream.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildJvmIT {

  @TempDir Path dataDir;

  private Process parent;
  private long childPid = -1;

  @AfterEach
  void killLeftovers() {
    if (parent != null) {
      parent.destroyForcibly();
    }
    ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
  }

  @Test
  void shouldEndChildWhenParentIsKilledWithoutShutdownHooks() throws Exception {
    ProcessHandle child = startParentWithChild();

    parent.destroyForcibly(); // SIGKILL: no shutdown hook runs, only the watchdog can help

    assertThat(parent.waitFor(10, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(15)).until(() -> !child.isAlive());
  }

  @Test
  void shouldStopChildWhenParentIsTerminated() throws Exception {
    ProcessHandle child = startParentWithChild();

    parent.destroy(); // SIGTERM: the parent's shutdown hook stops the child

    assertThat(parent.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.isAlive())
        .as("child stopped by the parent's shutdown hook before the parent exited")
        .isFalse();
  }

  @Test
  void shouldStopChildAndKeepItsOutputWhenStopped() throws Exception {
    ChildJvm child =
        ChildJvm.builder("sleeper", SleepingMain.class.getName())
            .setDataDir(dataDir)
            .optClasspath(List.of(codeLocation(SleepingMain.class)))
            .optMaxHeap("64m")
            .start();
    childPid = child.pid();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> child.logTail(5).contains("sleeping child up"));

    child.stop();
    child.stop();

    assertThat(child.isAlive()).isFalse();
    assertThat(ProcessHandle.of(child.pid()).map(ProcessHandle::isAlive))
        .isNotEqualTo(Optional.of(true));
    assertThat(child.logFile()).isEqualTo(dataDir.resolve("sleeper.log"));
  }

  private ProcessHandle startParentWithChild() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = codeLocation(ChildJvm.class) + File.pathSeparator + codeLocation(getClass());
    parent =
        new ProcessBuilder(
                java,
                "-Xmx64m",
                "-cp",
                classpath,
                ParentOfSleeper.class.getName(),
                dataDir.toString(),
                codeLocation(SleepingMain.class).toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.startsWith("child-pid=")) {
      // skip anything the parent JVM prints first
    }
    assertThat(line).as("parent printed its child's pid").isNotNull();
    childPid = Long.parseLong(line.substring("child-pid=".length()));
    ProcessHandle child = ProcessHandle.of(childPid).orElseThrow();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                ChildJvm.logTail(dataDir.resolve("sleeper.log"), 5).contains("sleeping child up"));
    assertThat(child.isAlive()).isTrue();
    return child;
  }

  private static Path codeLocation(Class<?> type) throws Exception {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
