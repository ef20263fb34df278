package io.latentstream.streams.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Where the stream threads' wall time goes besides encoding, from the cumulative timings Kafka Streams and its
 * clients keep (KIP-761): time blocked on Kafka in all ({@code blocked-time-ns-total} of the threads), of which
 * committing transactions (the producers' flush, send-offsets, begin and commit times) and waiting in the main
 * consumers' poll for records ({@code io-wait-time-ns-total}).
 *
 * <p>Immutable snapshots; thread-safe.
 */
record StreamThreadClock(long wallNanos, double blockedNanos, double commitNanos, double pollWaitNanos) {

  private static final Set<String> COMMIT_TIMES = Set.of("flush-time-ns-total", "txn-send-offsets-time-ns-total",
      "txn-begin-time-ns-total", "txn-commit-time-ns-total");

  static StreamThreadClock of(KafkaStreams streams) {
    double blocked = 0;
    double commit = 0;
    double pollWait = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      MetricName name = e.getKey();
      if (!(e.getValue().metricValue() instanceof Double value) || value.isNaN()) {
        continue;
      }
      String clientId = name.tags().getOrDefault("client-id", name.tags().getOrDefault("thread-id", ""));
      if (name.group().equals("stream-thread-metrics") && name.name().equals("blocked-time-ns-total")) {
        blocked += value;
      } else if (name.group().equals("producer-metrics") && COMMIT_TIMES.contains(name.name())
          && clientId.contains("-StreamThread-")) {
        commit += value;
      } else if (name.group().equals("consumer-metrics") && name.name().equals("io-wait-time-ns-total")
          && clientId.contains("-StreamThread-") && clientId.endsWith("-consumer")
          && !clientId.endsWith("-restore-consumer")) {
        pollWait += value;
      }
    }
    return new StreamThreadClock(System.nanoTime(), blocked, commit, pollWait);
  }

  /**
   * Milliseconds per frame since {@code start}, per stream thread: {@code wall}, {@code blocked} on Kafka, of it
   * {@code commit} and {@code pollWait}, and {@code encode} (the encode processor's mean time per frame, which the
   * caller knows) with what is left over ({@code other}: Kafka Streams' own work outside the processor). The sink's
   * {@code send} runs inside the encode processor, so a send that blocks is counted in both, and {@code other} can
   * come out slightly negative: an approximate split, not an exact one.
   */
  Map<String, Double> since(StreamThreadClock start, int frames, int threads, double encodeMsPerFrame) {
    Map<String, Double> out = new LinkedHashMap<>();
    double wall = (wallNanos - start.wallNanos) * threads / 1e6 / frames;
    double blocked = (blockedNanos - start.blockedNanos) / 1e6 / frames;
    out.put("wallMsPerFrame", wall);
    out.put("encodeMsPerFrame", encodeMsPerFrame);
    out.put("blockedOnKafkaMsPerFrame", blocked);
    out.put("commitMsPerFrame", (commitNanos - start.commitNanos) / 1e6 / frames);
    out.put("pollWaitMsPerFrame", (pollWaitNanos - start.pollWaitNanos) / 1e6 / frames);
    out.put("otherMsPerFrame", wall - encodeMsPerFrame - blocked);
    return out;
  }
}
