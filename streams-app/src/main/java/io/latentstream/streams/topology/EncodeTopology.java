package io.latentstream.streams.topology;

import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.sequence.DeltaOptions;
import io.latentstream.codec.sequence.KeyframePolicy;
import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.metrics.CommitBoundMetrics;
import io.latentstream.streams.metrics.PipelineMetrics;
import io.latentstream.streams.serde.RecordSerdes;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The encode path: {@code images.raw} → validate, sample, encode → {@code images.latent}, with bad
 * frames on {@code images.dlq} and sampled raw frames on {@code images.sample}.
 *
 * <pre>
 *  raw-frames ─▶ encode (stores encode-sample-counts, ─┬─▶ route-latent ─▶ latent-frame ──▶ latent-sink
 *  (images.raw +          encode-chains)               ├─▶ route-dlq ────▶ dead-letter ───▶ dlq-sink
 *   images.keyframe.requests)                          └─▶ route-sample ─▶ sample-record ─▶ sample-sink
 * </pre>
 *
 * <p>Frames become KEY or DELTA latent frames per camera ({@link EncodeProcessor}).
 *
 * <p>Keys are camera ids as UTF-8 bytes, so each camera's frames stay in one partition, in order.
 * Values of {@code images.raw} are read as bytes and deserialized inside the processor (see {@link
 * EncodeProcessor}). Exactly-once comes from the application's {@code
 * processing.guarantee=exactly_once_v2}.
 *
 * <p>Wiring only; stateless and thread-safe.
 */
public final class EncodeTopology {

  /** State store counting sampled frames per camera and minute. */
  public static final String SAMPLE_STORE = "encode-sample-counts";

  /** Changelogged state store of each camera's committed chain position ({@link ChainPosition}). */
  public static final String CHAIN_STORE = "encode-chains";

  /** Each task's metric updates, applied when the task commits ({@link CommitBoundMetrics}). */
  public static final String METRICS_STORE = "encode-pending-metrics";

  /** What the encode path needs from the configuration. */
  public record Settings(
      String rawTopic,
      String latentTopic,
      String dlqTopic,
      String sampleTopic,
      String keyframeRequestTopic,
      long maxPixels,
      int dlqMaxOriginalBytes,
      double sampleRate,
      int sampleMaxPerMinute,
      double psnrSampleRate,
      KeyframePolicy keyframePolicy,
      DeltaOptions deltaOptions) {

    public static Settings from(StreamsAppConfig config) {
      double deadZone = config.getDouble(StreamsAppConfig.DELTA_DEAD_ZONE);
      return new Settings(
          config.getString(StreamsAppConfig.TOPIC_RAW),
          config.getString(StreamsAppConfig.TOPIC_LATENT),
          config.getString(StreamsAppConfig.TOPIC_DLQ),
          config.getString(StreamsAppConfig.TOPIC_SAMPLE),
          config.getString(StreamsAppConfig.TOPIC_KEYFRAME_REQUESTS),
          config.getLong(StreamsAppConfig.FRAME_MAX_PIXELS),
          config.getInt(StreamsAppConfig.DLQ_MAX_ORIGINAL_BYTES),
          config.getDouble(StreamsAppConfig.SAMPLE_RATE),
          config.getInt(StreamsAppConfig.SAMPLE_MAX_PER_MINUTE),
          config.getDouble(StreamsAppConfig.PSNR_SAMPLE_RATE),
          new KeyframePolicy(
              config.getInt(StreamsAppConfig.KEYFRAME_INTERVAL_FRAMES),
              config.getLong(StreamsAppConfig.KEYFRAME_INTERVAL_MS)),
          new DeltaOptions(
              deadZone, Math.max(deadZone, config.getDouble(StreamsAppConfig.DELTA_SKIP_ZONE))));
    }
  }

  private EncodeTopology() {}

  /**
   * Adds the encode path to a builder shared with other paths (the decode mirror).
   *
   * @param codecs the current codec, asked once per frame (a hot swap takes effect on the next
   *     frame)
   */
  public static void addTo(
      StreamsBuilder builder,
      Settings settings,
      RecordSerdes serdes,
      Supplier<LearnedCodec> codecs,
      PipelineMetrics metrics) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(SAMPLE_STORE), Serdes.String(), Serdes.ByteArray()));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(CHAIN_STORE), Serdes.String(), Serdes.ByteArray()));
    builder.addStateStore(CommitBoundMetrics.builder(METRICS_STORE));
    // key-frame requests share the raw frames' task: same key (camera id), same partition count
    KStream<byte[], EncodeOutcome> outcomes =
        builder.stream(
                List.of(settings.rawTopic(), settings.keyframeRequestTopic()),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("raw-frames"))
            .process(
                () ->
                    new EncodeProcessor(
                        settings,
                        serdes.rawFrameDeserializer(),
                        codecs,
                        metrics,
                        Clock.systemUTC()),
                Named.as("encode"),
                SAMPLE_STORE,
                CHAIN_STORE,
                METRICS_STORE);
    Map<String, KStream<byte[], EncodeOutcome>> routes =
        outcomes
            .split(Named.as("route-"))
            .branch((k, v) -> v instanceof EncodeOutcome.Encoded, Branched.as("latent"))
            .branch((k, v) -> v instanceof EncodeOutcome.Rejected, Branched.as("dlq"))
            .branch((k, v) -> v instanceof EncodeOutcome.Sampled, Branched.as("sample"))
            .noDefaultBranch();
    routes
        .get("route-latent")
        .mapValues(v -> ((EncodeOutcome.Encoded) v).frame(), Named.as("latent-frame"))
        .to(
            settings.latentTopic(),
            Produced.<byte[], LatentFrame>with(Serdes.ByteArray(), serdes.latentFrame())
                .withName("latent-sink"));
    routes
        .get("route-dlq")
        .mapValues(v -> ((EncodeOutcome.Rejected) v).deadLetter(), Named.as("dead-letter"))
        .to(
            settings.dlqTopic(),
            Produced.<byte[], DeadLetter>with(Serdes.ByteArray(), serdes.deadLetter())
                .withName("dlq-sink"));
    routes
        .get("route-sample")
        .mapValues(v -> ((EncodeOutcome.Sampled) v).rawRecord(), Named.as("sample-record"))
        .to(
            settings.sampleTopic(),
            Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("sample-sink"));
  }

  /** The encode path alone, as a topology (tests, and deployments without the decode mirror). */
  public static Topology build(
      Settings settings,
      RecordSerdes serdes,
      Supplier<LearnedCodec> codecs,
      PipelineMetrics metrics) {
    StreamsBuilder builder = new StreamsBuilder();
    addTo(builder, settings, serdes, codecs, metrics);
    return builder.build();
  }
}
