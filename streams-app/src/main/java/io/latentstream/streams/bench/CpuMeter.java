package io.latentstream.streams.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the CPU time of a benchmark phase went: this JVM (codec, stream threads, bench clients),
 * its child JVMs (the local broker and registry), and everything else on the machine (from {@code
 * /proc/stat}), so a gap between the pipeline and the codec alone can be attributed. Readings that
 * the platform does not offer are NaN.
 *
 * <p>This JVM's time is also split by thread ({@link ThreadKind}), from {@code /proc/self/task} on
 * Linux: the native TensorFlow threads that run the transforms, the thread that calls the codec
 * (the codec loop's, or the stream thread with everything Kafka Streams does around the codec),
 * Kafka client I/O threads, GC and JIT.
 *
 * <p>Immutable snapshots; thread-safe.
 */
record CpuMeter(
    long wallNanos,
    long selfCpuNanos,
    long childrenCpuNanos,
    long machineBusyNanos,
    Map<ThreadKind, Long> threadCpuNanos) {

  /**
   * Kernel clock ticks per second of {@code /proc/stat} (USER_HZ, 100 on Linux everywhere in
   * practice).
   */
  private static final double TICKS_PER_SECOND = 100.0;

  /**
   * What a thread of this JVM does. Threads are told apart by name: Java threads by their full
   * name, the JVM's own and native threads by the name the kernel keeps ({@code comm}, 15
   * characters).
   */
  enum ThreadKind {
    /**
     * TensorFlow's intra/inter-op pools: native threads, which inherit the launcher's name {@code
     * java}.
     */
    TENSORFLOW("tensorflowThreads"),
    /**
     * The codec loop's threads, or the app's stream threads: the Java side of encoding plus, for
     * stream threads, polling, deserializing, producing and committing.
     */
    CALLER("codecCallerThreads"),
    /**
     * Network threads of the Kafka clients (the app's producers, admin, and the benchmark's own
     * producer).
     */
    KAFKA_IO("kafkaIoThreads"),
    /**
     * The benchmark's producer and its read_committed consumer (on {@code main}, which also warms
     * the codec up).
     */
    BENCH_CLIENTS("benchClientThreads"),
    GC("gcThreads"),
    JIT("jitThreads"),
    OTHER("otherThreads");

    final String key;

    ThreadKind(String key) {
      this.key = key;
    }
  }

  static CpuMeter now() {
    long self =
        ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os
            ? os.getProcessCpuTime()
            : -1;
    long children =
        ProcessHandle.current()
            .descendants()
            .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
            .sum();
    return new CpuMeter(System.nanoTime(), self, children, machineBusy(), threadCpu());
  }

  private static long machineBusy() {
    try {
      String[] f = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait
      long busy = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return (long) (busy / TICKS_PER_SECOND * 1e9);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * CPU nanoseconds of this JVM's live threads by kind; empty where {@code /proc/self/task} is
   * missing. A thread that ended between two snapshots drops out of the second, so phases are
   * measured while their threads live.
   */
  static Map<ThreadKind, Long> threadCpu() {
    Map<ThreadKind, Long> out = new TreeMap<>();
    Path tasks = Paths.get("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return out;
    }
    // Java thread names, 15-character prefixes as the kernel keeps them, and their full names
    Map<String, String> javaNames = new TreeMap<>();
    long mainNanos = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      javaNames.putIfAbsent(name.length() > 15 ? name.substring(0, 15) : name, name);
      if (name.equals("main")) {
        mainNanos = Math.max(0, ManagementFactory.getThreadMXBean().getThreadCpuTime(t.getId()));
      }
    }
    String pid = Long.toString(ProcessHandle.current().pid());
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
      for (Path task : dir) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended meanwhile
        }
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
          continue;
        }
        String comm = stat.substring(open + 1, close);
        String[] f = stat.substring(close + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
        boolean primordial = task.getFileName().toString().equals(pid);
        ThreadKind kind = kindOf(comm, javaNames.get(comm), primordial);
        out.merge(kind, (long) (ticks / TICKS_PER_SECOND * 1e9), Long::sum);
      }
    } catch (IOException | RuntimeException e) {
      return new TreeMap<>();
    }
    // the launcher starts the main thread natively, so the kernel calls it "java" like TensorFlow's
    // threads
    if (out.containsKey(ThreadKind.TENSORFLOW)) {
      out.merge(ThreadKind.TENSORFLOW, -mainNanos, Long::sum);
      out.merge(ThreadKind.BENCH_CLIENTS, mainNanos, Long::sum);
    }
    return out;
  }

  static ThreadKind kindOf(String comm, String javaName, boolean primordial) {
    String name = javaName != null ? javaName : comm;
    if (comm.equals("java") && !primordial && javaName == null) {
      return ThreadKind.TENSORFLOW;
    }
    // first: a producer's network thread is named after its client id,
    // "...-StreamThread-1-producer"
    if (name.startsWith("kafka-producer-network-thread")
        || name.startsWith("kafka-admin-client-thread")
        || comm.startsWith("kafka-producer-")
        || comm.startsWith("kafka-admin-cli")) {
      return ThreadKind.KAFKA_IO;
    }
    if (name.startsWith("bench-codec-loop")
        || name.contains("-StreamThread-")
        || (comm.startsWith("bench-pipeline-") && !name.contains("producer"))) {
      return ThreadKind.CALLER;
    }
    if (name.startsWith("bench-producer") || name.equals("main")) {
      return ThreadKind.BENCH_CLIENTS;
    }
    if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.equals("VM Thread")) {
      return ThreadKind.GC;
    }
    if (comm.contains("CompilerThre") || comm.startsWith("Sweeper")) {
      return ThreadKind.JIT;
    }
    return ThreadKind.OTHER;
  }

  /**
   * CPU milliseconds per frame from {@code start} to this snapshot: {@code self}, {@code children},
   * {@code others} (the rest of the machine), the cores busy on average ({@code machineCores}), and
   * this JVM's time by {@link ThreadKind} ({@code <kind>CpuMsPerFrame}, where the platform tells
   * threads apart).
   */
  Map<String, Double> since(CpuMeter start, int frames) {
    Map<String, Double> out = new LinkedHashMap<>();
    double wall = wallNanos - start.wallNanos;
    double self = selfCpuNanos < 0 ? Double.NaN : selfCpuNanos - start.selfCpuNanos;
    double children = childrenCpuNanos - start.childrenCpuNanos;
    double machine = machineBusyNanos < 0 ? Double.NaN : machineBusyNanos - start.machineBusyNanos;
    out.put("selfCpuMsPerFrame", self / 1e6 / frames);
    out.put("childrenCpuMsPerFrame", children / 1e6 / frames);
    out.put("othersCpuMsPerFrame", (machine - self - children) / 1e6 / frames);
    out.put("machineBusyCores", machine / wall);
    if (!threadCpuNanos.isEmpty()) {
      for (ThreadKind kind : ThreadKind.values()) {
        long delta =
            threadCpuNanos.getOrDefault(kind, 0L) - start.threadCpuNanos.getOrDefault(kind, 0L);
        out.put(kind.key + "CpuMsPerFrame", Math.max(0, delta) / 1e6 / frames);
      }
    }
    return out;
  }
}
