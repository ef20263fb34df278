package io.latentstream.streams.bench;

import io.latentstream.codec.LearnedCodec;
import io.latentstream.streams.feed.CameraFeed;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The reference the pipeline is measured against: {@link LearnedCodec#compress} in a loop over the
 * run's frames, on as many threads as the pipeline has stream threads (the threads take the next
 * frame from a shared counter, as stream threads take the next record).
 *
 * <p>Stateless apart from its settings; {@link #measure} may be called repeatedly from one thread.
 */
final class CodecLoop {

  private final LearnedCodec codec;
  private final CameraFeed frames;
  private final int threads;

  CodecLoop(LearnedCodec codec, CameraFeed frames, int threads) {
    this.codec = codec;
    this.frames = frames;
    this.threads = threads;
  }

  /** Frames per second, and where the CPU time went meanwhile ({@link CpuMeter#since}). */
  record Result(double framesPerSecond, Map<String, Double> cpu) {

    /**
     * Two measurements of the same frames taken as one: frames over total time (the harmonic mean
     * of the rates) and the mean CPU per frame of each kind.
     */
    static Result mean(Result a, Result b) {
      Map<String, Double> cpu = new LinkedHashMap<>();
      a.cpu.forEach((k, v) -> cpu.put(k, b.cpu.containsKey(k) ? (v + b.cpu.get(k)) / 2 : v));
      return new Result(2 / (1 / a.framesPerSecond + 1 / b.framesPerSecond), cpu);
    }
  }

  /** Compresses {@code warmup} frames untimed, then every frame of the run timed. */
  Result measure(int warmup) throws InterruptedException {
    for (int i = 0; i < warmup; i++) {
      codec.compress(frames.image(i % frames.total()));
    }
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "bench-codec-loop");
              t.setDaemon(true);
              return t;
            });
    try {
      CpuMeter cpu = CpuMeter.now();
      long start = System.nanoTime();
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(
            pool.submit(
                () -> {
                  for (int i = next.getAndIncrement();
                      i < frames.total();
                      i = next.getAndIncrement()) {
                    codec.compress(frames.image(i));
                  }
                }));
      }
      for (Future<?> w : workers) {
        w.get();
      }
      double fps = frames.total() / ((System.nanoTime() - start) / 1e9);
      return new Result(fps, CpuMeter.now().since(cpu, frames.total()));
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "the codec failed in the reference loop: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }
}
