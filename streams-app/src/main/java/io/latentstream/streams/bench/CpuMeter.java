package io.latentstream.streams.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the CPU time of a benchmark phase went: this JVM (codec, stream threads, bench clients), its child JVMs
 * (the local broker and registry), and everything else on the machine (from {@code /proc/stat}), so a gap between
 * the pipeline and the codec alone can be attributed. Readings that the platform does not offer are NaN.
 *
 * <p>Immutable snapshots; thread-safe.
 */
record CpuMeter(long wallNanos, long selfCpuNanos, long childrenCpuNanos, long machineBusyNanos) {

  /** Kernel clock ticks per second of {@code /proc/stat} (USER_HZ, 100 on Linux everywhere in practice). */
  private static final double TICKS_PER_SECOND = 100.0;

  static CpuMeter now() {
    long self = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
    long children = ProcessHandle.current().descendants()
        .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
    return new CpuMeter(System.nanoTime(), self, children, machineBusy());
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
   * CPU milliseconds per frame from {@code start} to this snapshot: {@code self}, {@code children},
   * {@code others} (the rest of the machine), and the cores busy on average ({@code machineCores}).
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
    return out;
  }
}
