package io.latentstream.testkit;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * The processes this JVM started, directly or not, that are still alive: a test takes them before
 * it runs a command that starts child processes (the demo's trainer, a browser) and checks that
 * none is left once the command returned.
 */
public final class ChildProcesses {

  private ChildProcesses() {}

  /** The process ids of the live descendants of this JVM. */
  public static Set<Long> alive() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }
}
