package io.latentstream.streams.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Where the stream threads' wall time goes besides encoding, from the cumulative timings Kafka
 * Streams and its clients keep (KIP-761): time blocked on Kafka in all ({@code
 * blocked-time-ns-total} of the threads), of which committing transactions (the producers' flush,
 * send-offsets, begin and commit times) and waiting in the main consumers' poll for records ({@code
 * io-wait-time-ns-total}).
 *
 * <p>Immutable snapshots; thread-safe.
 */
record StreamThreadClock(
    long wallNanos, double blockedNanos, double commitNanos, double pollWaitNanos) {

  private static final Set<String> COMMIT_TIMES =
      Set.of(
          "flush-time-ns-total",
          "txn-send-offsets-time-ns-total",
          "txn-begin-time-ns-total",
          "txn-commit-time-ns-total");

  /**
   * The clock at the start of a measurement. The threads' blocked time is read before its parts, so
   * that a commit or a poll counted while this runs lands in the parts' start values, never in the
   * total's alone.
   */
  static StreamThreadClock start(KafkaStreams streams) {
    double blocked = blockedNanos(streams);
    double[] parts = partNanos(streams);
    return new StreamThreadClock(System.nanoTime(), blocked, parts[0], parts[1]);
  }

  /**
   * The clock at the end of a measurement: the parts first, then the total, so that the total's
   * increase since {@link #start} is never less than the sum of its parts' (each is a monotonic
   * counter the total includes), even when the stream thread commits while the snapshots are taken.
   */
  static StreamThreadClock end(KafkaStreams streams) {
    double[] parts = partNanos(streams);
    double blocked = blockedNanos(streams);
    return new StreamThreadClock(System.nanoTime(), blocked, parts[0], parts[1]);
  }

  private static double blockedNanos(KafkaStreams streams) {
    double blocked = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      MetricName name = e.getKey();
      if (name.group().equals("stream-thread-metrics")
          && name.name().equals("blocked-time-ns-total")) {
        blocked += value(e.getValue());
      }
    }
    return blocked;
  }

  /** The commit and poll-wait parts of the stream threads' blocked time, in that order. */
  private static double[] partNanos(KafkaStreams streams) {
    double commit = 0;
    double pollWait = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      MetricName name = e.getKey();
      String clientId =
          name.tags().getOrDefault("client-id", name.tags().getOrDefault("thread-id", ""));
      if (name.group().equals("producer-metrics")
          && COMMIT_TIMES.contains(name.name())
          && clientId.contains("-StreamThread-")) {
        commit += value(e.getValue());
      } else if (name.group().equals("consumer-metrics")
          && name.name().equals("io-wait-time-ns-total")
          && clientId.contains("-StreamThread-")
          && clientId.endsWith("-consumer")
          && !clientId.endsWith("-restore-consumer")) {
        pollWait += value(e.getValue());
      }
    }
    return new double[] {commit, pollWait};
  }

  private static double value(Metric metric) {
    return metric.metricValue() instanceof Double value && !value.isNaN() ? value : 0;
  }

  /**
   * Milliseconds per frame since {@code start}, per stream thread: {@code wall}, {@code blocked} on
   * Kafka, of it {@code commit} and {@code pollWait}, and {@code encode} (the encode processor's
   * mean time per frame, which the caller knows) with what is left over ({@code other}: Kafka
   * Streams' own work outside the processor). The sink's {@code send} runs inside the encode
   * processor, so a send that blocks is counted in both, and {@code other} can come out slightly
   * negative: an approximate split, not an exact one.
   */
  Map<String, Double> since(
      StreamThreadClock start, int frames, int threads, double encodeMsPerFrame) {
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
