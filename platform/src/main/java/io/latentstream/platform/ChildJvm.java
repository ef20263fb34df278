package io.latentstream.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A supervised child JVM: same {@code java} as this one, its output appended to a log file in its
 * data directory, and three ways to end it so that it never outlives us:
 *
 * <ol>
 *   <li>{@link #stop()} / {@link #close()}: SIGTERM, wait, then SIGKILL;
 *   <li>a shutdown hook of this JVM that stops every child still alive;
 *   <li>{@link ParentWatchdog} inside the child, which exits when this JVM is gone even after a
 *       SIGKILL.
 * </ol>
 *
 * <p>Thread-safe. Whoever calls {@link Builder#start()} owns the child and closes it; closing twice
 * is harmless.
 */
public final class ChildJvm implements AutoCloseable {
  private static final Set<ChildJvm> LIVE = ConcurrentHashMap.newKeySet();
  private static final Object HOOK_LOCK = new Object();
  private static boolean hookInstalled;

  private final String name;
  private final Process process;
  private final Path logFile;
  private final Duration stopTimeout;

  private ChildJvm(String name, Process process, Path logFile, Duration stopTimeout) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
    this.stopTimeout = stopTimeout;
  }

  /**
   * Starts describing a child JVM.
   *
   * @param name short name, used for the log file ({@code <name>.log}) and messages
   * @param mainClass the class whose {@code main} the child runs
   */
  public static Builder builder(String name, String mainClass) {
    return new Builder(name, mainClass);
  }

  /** The short name given to the builder. */
  public String name() {
    return name;
  }

  /** The operating-system process id of the child. */
  public long pid() {
    return process.pid();
  }

  /** Whether the child process is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The file that receives the child's stdout and stderr. */
  public Path logFile() {
    return logFile;
  }

  /**
   * Waits for the child to end by itself (for one-shot tools).
   *
   * @return the exit code
   * @throws IllegalStateException when it runs longer than {@code timeout} (the child is then
   *     stopped)
   */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      stop();
      throw new IllegalStateException(
          name + " did not finish within " + timeout + "; log tail:\n" + logTail(40));
    }
    LIVE.remove(this);
    return process.exitValue();
  }

  /**
   * The last {@code lines} lines of the log file (empty when there is none), for error messages.
   */
  public String logTail(int lines) {
    return logTail(logFile, lines);
  }

  /**
   * Stops the child: SIGTERM, then SIGKILL if it has not exited within the stop timeout. Returns
   * once the process is gone. Idempotent.
   */
  public synchronized void stop() {
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      LIVE.remove(this);
    }
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return name + "(pid " + process.pid() + ")";
  }

  static String logTail(Path file, int lines) {
    if (!Files.isRegularFile(file)) {
      return "";
    }
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      int size = (int) Math.min(length, 64 * 1024);
      byte[] bytes = new byte[size];
      in.seek(length - size);
      in.readFully(bytes);
      List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\\R"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  private static void installShutdownHook() {
    synchronized (HOOK_LOCK) {
      if (!hookInstalled) {
        Runtime.getRuntime()
            .addShutdownHook(new Thread(ChildJvm::stopAll, "latentstream-child-jvm-reaper"));
        hookInstalled = true;
      }
    }
  }

  private static void stopAll() {
    List<Thread> stoppers = new ArrayList<>();
    for (ChildJvm child : LIVE) {
      // In parallel: the JVM is going down and every child gets the same grace period.
      Thread t = new Thread(child::stop, "stop-" + child.name);
      t.start();
      stoppers.add(t);
    }
    for (Thread t : stoppers) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Copies {@link ParentWatchdog}'s class file into {@code dir}, so the child gets this one class
   * and not the whole classpath of the parent (which may be a fat jar with conflicting versions).
   */
  private static Path extractWatchdog(Path dir) throws IOException {
    String resource = ParentWatchdog.class.getName().replace('.', '/') + ".class";
    Path target = dir.resolve(resource);
    Files.createDirectories(target.getParent());
    try (InputStream in = ParentWatchdog.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("cannot find " + resource + " on the classpath");
      }
      Path tmp = Files.createTempFile(target.getParent(), "ParentWatchdog", ".tmp");
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    return dir;
  }

  /** Describes a child JVM; not thread-safe. */
  public static final class Builder {
    private final String name;
    private final String mainClass;
    private final List<Path> classpath = new ArrayList<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private Path dataDir;
    private String maxHeap = "512m";
    private Duration stopTimeout = Duration.ofSeconds(20);

    private Builder(String name, String mainClass) {
      this.name = Objects.requireNonNull(name, "name");
      this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
    }

    /**
     * Required: the working directory of the child, which also holds its log file. Created if
     * missing.
     */
    public Builder setDataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** Classpath entries (jars or directories), in order. */
    public Builder optClasspath(List<Path> entries) {
      classpath.addAll(entries);
      return this;
    }

    /** An extra JVM option, e.g. {@code -Dkey=value}. */
    public Builder optJvmOption(String option) {
      jvmOptions.add(option);
      return this;
    }

    /** Arguments for the main class. */
    public Builder optArgs(String... values) {
      args.addAll(Arrays.asList(values));
      return this;
    }

    /** {@code -Xmx} value; default {@code 512m}. */
    public Builder optMaxHeap(String value) {
      this.maxHeap = value;
      return this;
    }

    /** How long {@link ChildJvm#stop()} waits after SIGTERM before SIGKILL; default 20 s. */
    public Builder optStopTimeout(Duration value) {
      this.stopTimeout = value;
      return this;
    }

    /** Launches the child (does not wait for it to be ready). */
    public ChildJvm start() {
      Objects.requireNonNull(dataDir, "dataDir");
      try {
        Files.createDirectories(dataDir);
        Path watchdogDir = extractWatchdog(dataDir.resolve(".watchdog-classes"));
        List<Path> cp = new ArrayList<>();
        cp.add(watchdogDir);
        cp.addAll(classpath);

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + maxHeap);
        command.add("-Djava.awt.headless=true");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(
            cp.stream()
                .map(p -> p.toAbsolutePath().toString())
                .collect(Collectors.joining(java.io.File.pathSeparator)));
        command.add(ParentWatchdog.class.getName());
        command.add(Long.toString(ProcessHandle.current().pid()));
        command.add(mainClass);
        command.addAll(args);

        Path logFile = dataDir.resolve(name + ".log");
        Files.writeString(
            logFile,
            "---- starting " + String.join(" ", command) + System.lineSeparator(),
            StandardCharsets.UTF_8,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder pb =
            new ProcessBuilder(command)
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        installShutdownHook();
        ChildJvm child = new ChildJvm(name, pb.start(), logFile, stopTimeout);
        LIVE.add(child);
        return child;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + name, e);
      }
    }
  }
}
