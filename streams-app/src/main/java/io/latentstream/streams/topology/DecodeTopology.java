package io.latentstream.streams.topology;

import io.latentstream.codec.CorruptBitstreamException;
import io.latentstream.codec.DecodeLimits;
import io.latentstream.codec.sequence.ReferenceState;
import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.DecodeRequest;
import io.latentstream.schemas.DecodedFrame;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.serde.AvroDeserializer;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.errors.DeadLetterFactory;
import io.latentstream.streams.metrics.CommitBoundMetrics;
import io.latentstream.streams.metrics.PipelineMetrics;
import io.latentstream.streams.model.ActiveModels;
import io.latentstream.streams.serde.RecordSerdes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The decode mirror: a retained, queryable store of latent frames and the request-topic decoder.
 *
 * <pre>
 *  latent-frames-source (images.latent) ─▶ latent-frames-read ─┬─▶ latent-frames-retain ──▶ [store latent-frames]
 *                                                              └─▶ latent-frames-dlq-sink (images.dlq)     ▲
 *  decode-requests-source (images.decode.requests) ─▶ decode-requests-read ─┬─▶ decode-requests-dlq-sink     │
 *     ┌────────────────────────────────────────────────────────────────────┘  (images.dlq)                 │
 *     └─▶ decode-requests-by-camera (repartition by camera id) ──▶ decode-request ──▶ decoded-sink (images.decoded)
 * </pre>
 *
 * <p>Both sources read bytes; {@link RecordReader} deserializes and checks them ({@link
 * DecodeInputChecks}), so a record that cannot be read (garbage, truncated, another schema, a
 * bitstream claiming more than {@code frame.max.pixels}, oversized identifiers) is dead-lettered
 * with its reason and bytes and the service goes on. Answers larger than {@code frame.max.bytes}
 * are refused with a FAILED answer ({@link DecodeRequestProcessor}).
 *
 * <p>The store {@value #STORE} is a window store (1 ms windows, retention {@code
 * latent.store.retention.ms}) keyed by {@link #storeKey}(camera, sequence): it lives with the
 * partition of {@code images.latent} its camera hashes to, so interactive queries find its owner
 * with {@code queryMetadataForKey(STORE, cameraId, stringSerializer)}. Next to it, {@value
 * #CHECKPOINTS} holds the reference-state checkpoints the store's processor keeps along each chain
 * as it arrives ({@link ChainFollower}), with the same keys, timestamps and retention, so the two
 * move, restore and expire together (a window store drops expired segments when next written to)
 * and no decode walks more than {@value #CHECKPOINT_EVERY} - 1 frames. Requests are keyed by
 * request id; they are re-keyed by camera id and repartitioned into as many partitions as {@code
 * images.latent} with the same default partitioner, so each lands on the task holding its frame.
 *
 * <p>Frames decode with the model version that encoded them ({@link ActiveModels} as the resolver).
 * Wiring only; stateless and thread-safe.
 */
public final class DecodeTopology {
  /** The retained store of latent frames. */
  public static final String STORE = "latent-frames";

  /**
   * Reference-state checkpoints along the retained chains ({@link ChainFollower}): serialised
   * {@link ReferenceState}s keyed and timestamped like the frames of {@link #STORE}, with its
   * retention.
   */
  public static final String CHECKPOINTS = "latent-frames-checkpoints";

  /** Frames between two checkpoints of a chain: no decode walks more than this minus one. */
  public static final int CHECKPOINT_EVERY = ChainFollower.EVERY;

  /**
   * What the decode mirror needs from the configuration.
   *
   * @param latentPartitions partitions of {@code images.latent} (the request repartition topic gets
   *     as many)
   * @param maxPixels the largest image a frame may claim ({@code frame.max.pixels})
   * @param maxAnswerPixelBytes the most pixel bytes an answer on the decoded topic may carry
   *     ({@code frame.max.bytes})
   */
  public record Settings(
      String latentTopic,
      String decodeRequestsTopic,
      String decodedTopic,
      Duration retention,
      int latentPartitions,
      String dlqTopic,
      long maxPixels,
      int maxAnswerPixelBytes,
      int dlqMaxOriginalBytes) {

    public static Settings from(StreamsAppConfig config) {
      return new Settings(
          config.getString(StreamsAppConfig.TOPIC_LATENT),
          config.getString(StreamsAppConfig.TOPIC_DECODE_REQUESTS),
          config.getString(StreamsAppConfig.TOPIC_DECODED),
          Duration.ofMillis(config.getLong(StreamsAppConfig.LATENT_RETENTION_MS)),
          config.getInt(StreamsAppConfig.TOPIC_PARTITIONS),
          config.getString(StreamsAppConfig.TOPIC_DLQ),
          config.getLong(StreamsAppConfig.FRAME_MAX_PIXELS),
          config.getInt(StreamsAppConfig.FRAME_MAX_BYTES),
          config.getInt(StreamsAppConfig.DLQ_MAX_ORIGINAL_BYTES));
    }
  }

  private DecodeTopology() {}

  /**
   * Metric updates of the readers, applied when their tasks commit ({@link CommitBoundMetrics}).
   */
  static final String LATENT_METRICS_STORE = "latent-frames-pending-metrics";

  static final String REQUEST_METRICS_STORE = "decode-requests-pending-metrics";

  /**
   * Adds the store, its feed and the decode-request path to a builder shared with the encode path.
   */
  public static void addTo(
      StreamsBuilder builder,
      Settings settings,
      RecordSerdes serdes,
      ActiveModels activeModels,
      PipelineMetrics metrics) {
    addTo(
        builder,
        settings,
        serdes,
        activeModels,
        metrics,
        new LatentFrameDecoder(
            activeModels, DecodeLimits.ofMaxPixels(settings.maxPixels()), metrics::decoded));
  }

  /**
   * As {@link #addTo(StreamsBuilder, Settings, RecordSerdes, ActiveModels, PipelineMetrics)}, with
   * the decoder the decode requests share with {@code GET /frames}.
   */
  public static void addTo(
      StreamsBuilder builder,
      Settings settings,
      RecordSerdes serdes,
      ActiveModels activeModels,
      PipelineMetrics metrics,
      LatentFrameDecoder decoder) {
    builder.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(STORE, settings.retention(), Duration.ofMillis(1), false),
            Serdes.String(),
            serdes.latentFrame()));
    builder.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(
                CHECKPOINTS, settings.retention(), Duration.ofMillis(1), false),
            Serdes.String(),
            Serdes.ByteArray()));
    builder.addStateStore(CommitBoundMetrics.builder(LATENT_METRICS_STORE));
    builder.addStateStore(CommitBoundMetrics.builder(REQUEST_METRICS_STORE));
    DeadLetterFactory deadLetters =
        new DeadLetterFactory(settings.dlqMaxOriginalBytes(), Clock.systemUTC());
    DecodeLimits limits = DecodeLimits.ofMaxPixels(settings.maxPixels());

    Map<String, KStream<byte[], ReadOutcome<LatentFrame>>> latent =
        readAndSplit(
            builder,
            settings.latentTopic(),
            "latent-frames-",
            () ->
                new RecordReader<>(
                    new AvroDeserializer<>(serdes.client(), LatentFrame.class),
                    frame -> DecodeInputChecks.latentFrame(frame, limits),
                    deadLetters,
                    metrics,
                    LATENT_METRICS_STORE),
            LATENT_METRICS_STORE);
    latent
        .get("latent-frames-valid")
        .mapValues(
            v -> ((ReadOutcome.Read<LatentFrame>) v).value(), Named.as("latent-frames-value"))
        .process(
            () -> new LatentFrameStoreProcessor(new ChainFollower(activeModels, limits)),
            Named.as("latent-frames-retain"),
            STORE,
            CHECKPOINTS);
    toDeadLetters(latent.get("latent-frames-invalid"), settings, serdes, "latent-frames-");

    AvroSerde<DecodeRequest> requests = new AvroSerde<>(serdes.client(), DecodeRequest.class);
    AvroSerde<DecodedFrame> decoded = new AvroSerde<>(serdes.client(), DecodedFrame.class);
    Map<String, KStream<byte[], ReadOutcome<DecodeRequest>>> read =
        readAndSplit(
            builder,
            settings.decodeRequestsTopic(),
            "decode-requests-",
            () ->
                new RecordReader<>(
                    new AvroDeserializer<>(serdes.client(), DecodeRequest.class),
                    DecodeInputChecks::decodeRequest,
                    deadLetters,
                    metrics,
                    REQUEST_METRICS_STORE),
            REQUEST_METRICS_STORE);
    read.get("decode-requests-valid")
        .map(
            (k, v) -> {
              DecodeRequest request = ((ReadOutcome.Read<DecodeRequest>) v).value();
              return KeyValue.pair(request.getCameraId(), request);
            },
            Named.as("decode-requests-key-by-camera"))
        .repartition(
            Repartitioned.<String, DecodeRequest>as("decode-requests-by-camera")
                .withKeySerde(Serdes.String())
                .withValueSerde(requests)
                .withNumberOfPartitions(settings.latentPartitions()))
        .process(
            () ->
                new DecodeRequestProcessor(
                    decoder, Clock.systemUTC(), settings.maxAnswerPixelBytes()),
            Named.as("decode-request"),
            STORE,
            CHECKPOINTS)
        .to(
            settings.decodedTopic(),
            Produced.with(Serdes.String(), decoded).withName("decoded-sink"));
    toDeadLetters(read.get("decode-requests-invalid"), settings, serdes, "decode-requests-");
  }

  private static <T> void toDeadLetters(
      KStream<byte[], ReadOutcome<T>> rejected,
      Settings settings,
      RecordSerdes serdes,
      String prefix) {
    rejected
        .mapValues(
            v -> ((ReadOutcome.Rejected<T>) v).deadLetter(), Named.as(prefix + "dead-letter"))
        .to(
            settings.dlqTopic(),
            Produced.<byte[], DeadLetter>with(Serdes.ByteArray(), serdes.deadLetter())
                .withName(prefix + "dlq-sink"));
  }

  /** The store key of a frame: unambiguous, since the sequence after the last '/' has no '/'. */
  public static String storeKey(String cameraId, long sequence) {
    return cameraId + "/" + sequence;
  }

  /**
   * A camera's retained frames and the checkpoints along their chains, for {@link
   * LatentFrameDecoder}.
   */
  public static LatentFrameDecoder.Chain chain(
      ReadOnlyWindowStore<String, LatentFrame> store,
      ReadOnlyWindowStore<String, byte[]> checkpoints,
      String cameraId) {
    return new LatentFrameDecoder.Chain() {
      @Override
      public Optional<LatentFrame> frame(long sequence) {
        return latest(store, cameraId, sequence);
      }

      @Override
      public Optional<ReferenceState> checkpoint(long keySequence, long target) {
        return DecodeTopology.checkpoint(checkpoints, cameraId, keySequence, target);
      }
    };
  }

  /**
   * The newest kept checkpoint of the camera's chain from key frame {@code keySequence} at or
   * before {@code target}: one store read when the checkpoint is there (the follower keeps one
   * every {@value ChainFollower#EVERY} frames).
   */
  static Optional<ReferenceState> checkpoint(
      ReadOnlyWindowStore<String, byte[]> checkpoints,
      String cameraId,
      long keySequence,
      long target) {
    long every = ChainFollower.EVERY;
    for (long at = keySequence + (target - keySequence) / every * every;
        at > keySequence;
        at -= every) {
      byte[] bytes;
      try (WindowStoreIterator<byte[]> it =
          checkpoints.backwardFetch(
              storeKey(cameraId, at), Instant.EPOCH, Instant.ofEpochMilli(Long.MAX_VALUE))) {
        bytes = it.hasNext() ? it.next().value : null;
      }
      if (bytes == null) {
        continue;
      }
      try {
        ReferenceState state = ReferenceState.fromBytes(bytes);
        if (state.keySequence() == keySequence && state.sequence() == at) {
          return Optional.of(state);
        }
      } catch (CorruptBitstreamException e) {
        // not a state this version can read: walk from an earlier one
      }
    }
    return Optional.empty();
  }

  /**
   * The newest retained frame of the camera with a sequence in {@code [sequence - lookback,
   * sequence]}, if any.
   */
  public static Optional<LatentFrame> atOrBefore(
      ReadOnlyWindowStore<String, LatentFrame> store,
      String cameraId,
      long sequence,
      int lookback) {
    for (long s = sequence; s >= Math.max(0, sequence - lookback); s--) {
      Optional<LatentFrame> f = latest(store, cameraId, s);
      if (f.isPresent()) {
        return f;
      }
    }
    return Optional.empty();
  }

  /** The latest retained frame (camera, sequence), if any. */
  public static Optional<LatentFrame> latest(
      ReadOnlyWindowStore<String, LatentFrame> store, String cameraId, long sequence) {
    try (WindowStoreIterator<LatentFrame> it =
        store.backwardFetch(
            storeKey(cameraId, sequence), Instant.EPOCH, Instant.ofEpochMilli(Long.MAX_VALUE))) {
      return it.hasNext() ? Optional.ofNullable(it.next().value) : Optional.empty();
    }
  }

  /**
   * Reads {@code topic} through {@code reader} and splits what it read into the branches {@code
   * <prefix>valid} (records read and checked) and {@code <prefix>invalid} (dead letters to be),
   * with processor names that start with {@code prefix}.
   */
  private static <T> Map<String, KStream<byte[], ReadOutcome<T>>> readAndSplit(
      StreamsBuilder builder,
      String topic,
      String prefix,
      ProcessorSupplier<byte[], byte[], byte[], ReadOutcome<T>> reader,
      String metricsStore) {
    return builder.stream(
            topic,
            Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(prefix + "source"))
        .process(reader, Named.as(prefix + "read"), metricsStore)
        .split(Named.as(prefix))
        .branch((k, v) -> v instanceof ReadOutcome.Read, Branched.as("valid"))
        .defaultBranch(Branched.as("invalid"));
  }
}
