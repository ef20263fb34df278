package io.latentstream.streams.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.streams.bench.CpuMeter.ThreadKind;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class CpuMeterTest {

  @Test
  void shouldTellTensorFlowThreadsFromTheLauncherAndNamedJavaThreads() {
    // native threads TensorFlow starts inherit the launcher's name; the primordial thread is the
    // launcher itself
    assertThat(CpuMeter.kindOf("java", null, false)).isEqualTo(ThreadKind.TENSORFLOW);
    assertThat(CpuMeter.kindOf("java", null, true)).isEqualTo(ThreadKind.OTHER);
    assertThat(CpuMeter.kindOf("bench-codec-loo", "bench-codec-loop", false))
        .isEqualTo(ThreadKind.CALLER);
    assertThat(
            CpuMeter.kindOf(
                "bench-pipeline-", "bench-pipeline-20261125-0-6f1c-StreamThread-1", false))
        .isEqualTo(ThreadKind.CALLER);
    assertThat(
            CpuMeter.kindOf("latentstream-en", "latentstream-encoder-6f1c-StreamThread-2", false))
        .isEqualTo(ThreadKind.CALLER);
    assertThat(
            CpuMeter.kindOf(
                "kafka-producer-",
                "kafka-producer-network-thread | bench-pipeline-0-StreamThread-1-producer",
                false))
        .isEqualTo(ThreadKind.KAFKA_IO);
    assertThat(CpuMeter.kindOf("bench-producer", "bench-producer", false))
        .isEqualTo(ThreadKind.BENCH_CLIENTS);
    assertThat(CpuMeter.kindOf("G1 Conc#0", null, false)).isEqualTo(ThreadKind.GC);
    assertThat(CpuMeter.kindOf("GC Thread#1", null, false)).isEqualTo(ThreadKind.GC);
    assertThat(CpuMeter.kindOf("C2 CompilerThre", null, false)).isEqualTo(ThreadKind.JIT);
    assertThat(CpuMeter.kindOf("rocksdb:low", null, false)).isEqualTo(ThreadKind.OTHER);
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void shouldChargeABusyJavaThreadToItsKind() throws Exception {
    CountDownLatch burned = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CpuMeter start = CpuMeter.now();
    Thread busy =
        new Thread(
            () -> {
              ThreadMXBean mx = ManagementFactory.getThreadMXBean();
              long x = 0;
              while (mx.getCurrentThreadCpuTime()
                  < 200_000_000L) { // 200 ms of its own CPU, however busy the machine
                x += Long.numberOfTrailingZeros(x + System.nanoTime());
              }
              burned.countDown();
              try {
                release.await(); // alive at the snapshot: a finished thread drops out of /proc
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              if (x == 42) {
                System.out.print("");
              }
            },
            "bench-codec-loop");
    busy.start();
    assertThat(burned.await(60, TimeUnit.SECONDS)).isTrue();
    Map<String, Double> cpu = CpuMeter.now().since(start, 1);
    release.countDown();
    busy.join();

    assertThat(cpu.get("codecCallerThreadsCpuMsPerFrame")).isBetween(180.0, 400.0);
    assertThat(cpu.get("selfCpuMsPerFrame")).isGreaterThanOrEqualTo(180.0);
  }
}
