package io.latentstream.streams.metrics;

import io.latentstream.schemas.DeadLetterReason;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The service's Prometheus metrics: frames in and out, dead letters by reason, encode latency, bits
 * per pixel, sampled PSNR, samples taken, the current model version, model swaps and refused model
 * releases by reason; for alerting also the decode latency, when each camera's last frame was read
 * and the consumer lag on the raw topic.
 *
 * <p>The stream processors record their metrics (frames in, encoded, sampled, dead letters of both
 * paths, by type, latency, bpp, PSNR, key-frame requests) through their task's {@link
 * CommitBoundMetrics}, so they count committed work: a record whose exactly-once transaction is
 * aborted is counted once, when it is processed again (see there for the one narrow exception).
 *
 * <p>Each instance owns its own {@link PrometheusRegistry} (not the global default one), so tests
 * and several apps in one JVM do not collide. Thread-safe: stream threads record, the HTTP thread
 * scrapes. Nothing to close.
 */
public final class PipelineMetrics {

  private static final String PREFIX = "latentstream_";

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter framesIn;
  private final Counter framesEncoded;
  private final Counter framesSampled;
  private final Counter deadLetters;
  private final Histogram encodeLatency;
  private final Histogram bpp;
  private final Histogram psnr;
  private final Counter framesByType;
  private final Counter bytesByType;
  private final Counter keyFrames;
  private final Histogram chainLength;
  private final Counter keyframeRequests;
  private final Histogram decodeLatency;
  private final Gauge lastFrame;
  private final Info model;
  private final AtomicReference<Supplier<String>> modelVersion = new AtomicReference<>(() -> null);
  private final AtomicReference<LongSupplier> swaps = new AtomicReference<>(() -> 0L);
  private final AtomicReference<Supplier<Map<String, Long>>> rejections =
      new AtomicReference<>(Map::of);
  private final AtomicReference<Supplier<Map<String, Double>>> rawLag =
      new AtomicReference<>(Map::of);
  private final PrometheusTextFormatWriter writer =
      ExpositionFormats.init().getPrometheusTextFormatWriter();

  public PipelineMetrics() {
    framesIn =
        Counter.builder()
            .name(PREFIX + "frames_in")
            .help("Raw frame records read")
            .register(registry);
    framesEncoded =
        Counter.builder()
            .name(PREFIX + "frames_encoded")
            .help("Latent frames written (encoded raw frames)")
            .register(registry);
    framesSampled =
        Counter.builder()
            .name(PREFIX + "frames_sampled")
            .help("Raw frames copied to the sample topic")
            .register(registry);
    deadLetters =
        Counter.builder()
            .name(PREFIX + "dead_letters")
            .help("Records sent to the dead-letter topic")
            .labelNames("reason")
            .register(registry);
    encodeLatency =
        Histogram.builder()
            .name(PREFIX + "encode_latency_seconds")
            .help("Time to validate, decode and encode one frame")
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
            .classicOnly()
            .register(registry);
    bpp =
        Histogram.builder()
            .name(PREFIX + "bits_per_pixel")
            .help("Bits per pixel of encoded frames")
            .classicUpperBounds(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 4, 8)
            .classicOnly()
            .register(registry);
    psnr =
        Histogram.builder()
            .name(PREFIX + "psnr_db")
            .help("PSNR in dB of sampled frames, decoded right after encoding")
            .classicLinearUpperBounds(20, 2, 15)
            .classicOnly()
            .register(registry);
    framesByType =
        Counter.builder()
            .name(PREFIX + "latent_frames")
            .help("Latent frames written, by frame type")
            .labelNames("type")
            .register(registry);
    bytesByType =
        Counter.builder()
            .name(PREFIX + "latent_bytes")
            .help("Bitstream bytes of latent frames written, by frame type")
            .labelNames("type")
            .register(registry);
    keyFrames =
        Counter.builder()
            .name(PREFIX + "key_frames")
            .help(
                "KEY frames written, by cause (START, RESET = the chain was lost after a task move, restart or"
                    + " aborted transaction, INTERVAL_FRAMES, INTERVAL_TIME, REQUEST, MODEL_CHANGE, FORMAT_CHANGE,"
                    + " SEQUENCE_GAP)")
            .labelNames("cause")
            .register(registry);
    chainLength =
        Histogram.builder()
            .name(PREFIX + "chain_length")
            .help(
                "Frames since the chain's key frame, per latent frame written (0 for a KEY frame)")
            .classicUpperBounds(0, 1, 5, 10, 25, 50, 100, 250, 500, 1000)
            .classicOnly()
            .register(registry);
    keyframeRequests =
        Counter.builder()
            .name(PREFIX + "keyframe_requests")
            .help("Key-frame requests read from the request topic")
            .register(registry);
    decodeLatency =
        Histogram.builder()
            .name(PREFIX + "decode_latency_seconds")
            .help(
                "Time to decode one stored latent frame (decode requests and GET /frames/), its chain included")
            .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .classicOnly()
            .register(registry);
    lastFrame =
        Gauge.builder()
            .name(PREFIX + "camera_last_frame_timestamp_seconds")
            .help("When this instance last read a raw frame of the camera (Unix time, wall clock)")
            .labelNames("camera")
            .register(registry);
    GaugeWithCallback.builder()
        .name(PREFIX + "raw_consumer_lag_records")
        .help(
            "Records of the raw frame topic not yet read, per partition this instance consumes (the embedded"
                + " consumer's records-lag)")
        .labelNames("partition")
        .callback(cb -> rawLag.get().get().forEach((partition, lag) -> cb.call(lag, partition)))
        .register(registry);
    for (String type : new String[] {"KEY", "DELTA"}) {
      framesByType.labelValues(type);
      bytesByType.labelValues(type);
    }
    model =
        Info.builder()
            .name(PREFIX + "model")
            .help("The model currently encoding")
            .labelNames("version")
            .register(registry);
    CounterWithCallback.builder()
        .name(PREFIX + "model_swaps")
        .help("Encoder models installed (the first load at start counts as one)")
        .callback(cb -> cb.call(swaps.get().getAsLong()))
        .register(registry);
    CounterWithCallback.builder()
        .name(PREFIX + "model_rejections")
        .help(
            "Model releases refused by the release watcher, by reason; the current model kept serving")
        .labelNames("reason")
        .callback(cb -> rejections.get().get().forEach((reason, n) -> cb.call(n, reason)))
        .register(registry);
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      deadLetters.labelValues(
          reason.name()); // every reason shows up at 0, so rates and alerts work from the start
    }
  }

  /** Where the current model version and the swap count come from (the model registry). */
  public void bindModel(Supplier<String> currentVersion, LongSupplier swapCount) {
    modelVersion.set(Objects.requireNonNull(currentVersion));
    swaps.set(Objects.requireNonNull(swapCount));
  }

  /** Where the counts of refused model releases by reason come from (the model registry). */
  public void bindRejections(Supplier<Map<String, Long>> countsByReason) {
    rejections.set(Objects.requireNonNull(countsByReason));
  }

  public void frameIn() {
    framesIn.inc();
  }

  /** A raw frame of {@code camera} read now (wall clock, for the no-frames alert). */
  public void frameIn(String camera, long epochMillis) {
    lastFrame.labelValues(camera).set(epochMillis / 1000.0);
  }

  /**
   * Where the consumer lag on the raw topic comes from: records behind, by partition (the streams
   * client).
   */
  public void bindRawLag(Supplier<Map<String, Double>> lagByPartition) {
    rawLag.set(Objects.requireNonNull(lagByPartition));
  }

  /** One stored latent frame decoded (or failed to), in {@code nanos}. */
  public void decoded(long nanos) {
    decodeLatency.observe(nanos / 1e9);
  }

  public void encoded(long nanos, double bitsPerPixel) {
    framesEncoded.inc();
    encodeLatency.observe(nanos / 1e9);
    bpp.observe(bitsPerPixel);
  }

  /**
   * One latent frame written.
   *
   * @param type KEY or DELTA
   * @param cause why a KEY frame was coded; null for a DELTA
   */
  public void latentFrame(String type, String cause, int bytes, long chain) {
    framesByType.labelValues(type).inc();
    bytesByType.labelValues(type).inc(bytes);
    if (cause != null) {
      keyFrames.labelValues(cause).inc();
    }
    chainLength.observe(chain);
  }

  public void keyframeRequest() {
    keyframeRequests.inc();
  }

  /** Latent frames written so far of a type (KEY or DELTA). */
  public long latentFrames(String type) {
    return (long) framesByType.labelValues(type).get();
  }

  /** KEY frames written so far for a cause. */
  public long keyFrames(String cause) {
    return (long) keyFrames.labelValues(cause).get();
  }

  public void psnr(double db) {
    psnr.observe(db);
  }

  public void sampled() {
    framesSampled.inc();
  }

  public void deadLetter(DeadLetterReason reason) {
    deadLetters.labelValues(reason.name()).inc();
  }

  /** Raw frame records read so far (the live page's totals). */
  public long framesIn() {
    return (long) framesIn.get();
  }

  /** Frames encoded so far (for readiness and tests). */
  public long framesEncoded() {
    return (long) framesEncoded.get();
  }

  /** Dead letters so far with this reason. */
  public long deadLetters(DeadLetterReason reason) {
    return (long) deadLetters.labelValues(reason.name()).get();
  }

  /** Dead letters so far, all reasons together. */
  public long deadLettersTotal() {
    long total = 0;
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      total += deadLetters(reason);
    }
    return total;
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  public String contentType() {
    return writer.getContentType();
  }

  /** Writes every metric in the Prometheus text format. */
  public synchronized void scrape(OutputStream out) throws IOException {
    String version;
    try {
      version = modelVersion.get().get();
    } catch (RuntimeException e) {
      version = null; // no model loaded (yet): keep the last known version
    }
    if (version != null) {
      model.setLabelValues(version);
    }
    writer.write(out, registry.scrape());
  }
}
