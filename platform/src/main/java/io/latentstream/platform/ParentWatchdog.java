package io.latentstream.platform;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;

/**
 * Entry point of every child JVM: makes sure the child never outlives its parent, then runs the
 * real main.
 *
 * <p>Usage: {@code java -cp ... io.latentstream.platform.ParentWatchdog <parentPid> <mainClass>
 * [args...]}. A daemon thread polls the parent every 500 ms; when it is gone (even after a SIGKILL,
 * when no shutdown hook of the parent ran) the child exits through {@link System#exit} so its own
 * shutdown hooks still run, and is halted if those take longer than 10 s.
 *
 * <p>This class is copied, alone, onto the child's classpath (see {@link ChildJvm}): it must use
 * only the JDK and compile to a single class file (lambdas are fine, nested classes are not).
 */
public final class ParentWatchdog {
  static final long POLL_MILLIS = 500;
  private static final long HALT_AFTER_MILLIS = 10_000;

  private ParentWatchdog() {}

  public static void main(String[] args) throws Throwable {
    if (args.length < 2) {
      System.err.println("usage: ParentWatchdog <parentPid> <mainClass> [args...]");
      System.exit(2);
    }
    long parentPid = Long.parseLong(args[0]);
    // Hold on to one handle: ProcessHandle.isAlive also compares the start time, so a reused pid is
    // not
    // mistaken for the parent.
    Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
    if (parent.isEmpty() || !parent.get().isAlive()) {
      System.err.println("parent process " + parentPid + " is gone; not starting");
      System.exit(3);
    }
    ProcessHandle handle = parent.get();
    Thread watcher = new Thread(() -> watch(handle), "parent-watchdog");
    watcher.setDaemon(true);
    watcher.start();

    Method main =
        Class.forName(args[1], true, ClassLoader.getSystemClassLoader())
            .getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void watch(ProcessHandle parent) {
    try {
      while (parent.isAlive()) {
        Thread.sleep(POLL_MILLIS);
      }
    } catch (InterruptedException e) {
      return;
    }
    System.err.println("parent process " + parent.pid() + " is gone; exiting");
    Thread halter =
        new Thread(
            () -> {
              try {
                Thread.sleep(HALT_AFTER_MILLIS);
              } catch (InterruptedException ignored) {
                // halt anyway
              }
              Runtime.getRuntime().halt(143);
            },
            "parent-watchdog-halt");
    halter.setDaemon(true);
    halter.start();
    System.exit(143);
  }
}
