package io.latentstream.streams.topology;

import io.latentstream.schemas.DecodeRequest;
import io.latentstream.schemas.DecodedFrame;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.serde.AvroSerde;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.model.ModelRegistry;
import io.latentstream.streams.serde.RecordSerdes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The decode mirror: a retained, queryable store of latent frames and the request-topic decoder.
 *
 * <pre>
 *  latent-frames-source (images.latent) ──▶ latent-frames-retain ──▶ [store latent-frames]
 *                                                                          ▲
 *  decode-requests-source (images.decode.requests) ─▶ decode-requests-by-camera (repartition by camera id)
 *                                           ──▶ decode-request ──▶ decoded-sink (images.decoded)
 * </pre>
 *
 * <p>The store {@value #STORE} is a window store (1 ms windows, retention {@code latent.store.retention.ms}) keyed by
 * {@link #storeKey}(camera, sequence): it lives with the partition of {@code images.latent} its camera hashes to,
 * so interactive queries find its owner with {@code queryMetadataForKey(STORE, cameraId, stringSerializer)}.
 * Requests are keyed by request id; they are re-keyed by camera id and repartitioned into as many partitions as
 * {@code images.latent} with the same default partitioner, so each lands on the task holding its frame.
 *
 * <p>Frames decode with the model version that encoded them ({@link ModelRegistry} as the resolver).
 * Wiring only; stateless and thread-safe.
 */
public final class DecodeTopology {
  /** The retained store of latent frames. */
  public static final String STORE = "latent-frames";

  /**
   * What the decode mirror needs from the configuration.
   *
   * @param latentPartitions partitions of {@code images.latent} (the request repartition topic gets as many)
   */
  public record Settings(String latentTopic, String decodeRequestsTopic, String decodedTopic, Duration retention,
      int latentPartitions) {

    public static Settings from(StreamsAppConfig config) {
      return new Settings(config.getString(StreamsAppConfig.TOPIC_LATENT),
          config.getString(StreamsAppConfig.TOPIC_DECODE_REQUESTS),
          config.getString(StreamsAppConfig.TOPIC_DECODED),
          Duration.ofMillis(config.getLong(StreamsAppConfig.LATENT_RETENTION_MS)),
          config.getInt(StreamsAppConfig.TOPIC_PARTITIONS));
    }
  }

  private DecodeTopology() {}

  /** Adds the store, its feed and the decode-request path to a builder shared with the encode path. */
  public static void addTo(StreamsBuilder builder, Settings settings, RecordSerdes serdes, ModelRegistry registry) {
    builder.addStateStore(Stores.windowStoreBuilder(
        Stores.persistentWindowStore(STORE, settings.retention(), Duration.ofMillis(1), false),
        Serdes.String(), serdes.latentFrame()));
    builder.stream(settings.latentTopic(), Consumed.with(Serdes.String(), serdes.latentFrame())
            .withName("latent-frames-source"))
        .process(LatentFrameStoreProcessor::new, Named.as("latent-frames-retain"), STORE);

    AvroSerde<DecodeRequest> requests = new AvroSerde<>(serdes.client(), DecodeRequest.class);
    AvroSerde<DecodedFrame> decoded = new AvroSerde<>(serdes.client(), DecodedFrame.class);
    LatentFrameDecoder decoder = new LatentFrameDecoder(registry);
    builder.stream(settings.decodeRequestsTopic(), Consumed.with(Serdes.String(), requests)
            .withName("decode-requests-source"))
        .filter((k, v) -> v != null, Named.as("decode-requests-present"))
        .selectKey((k, v) -> v.getCameraId(), Named.as("decode-requests-key-by-camera"))
        .repartition(Repartitioned.<String, DecodeRequest>as("decode-requests-by-camera")
            .withKeySerde(Serdes.String()).withValueSerde(requests)
            .withNumberOfPartitions(settings.latentPartitions()))
        .process(() -> new DecodeRequestProcessor(decoder, Clock.systemUTC()), Named.as("decode-request"), STORE)
        .to(settings.decodedTopic(), Produced.with(Serdes.String(), decoded).withName("decoded-sink"));
  }

  /** The store key of a frame: unambiguous, since the sequence after the last '/' has no '/'. */
  public static String storeKey(String cameraId, long sequence) {
    return cameraId + "/" + sequence;
  }

  /** The newest retained frame of the camera with a sequence in {@code [sequence - lookback, sequence]}, if any. */
  public static Optional<LatentFrame> atOrBefore(ReadOnlyWindowStore<String, LatentFrame> store, String cameraId,
      long sequence, int lookback) {
    for (long s = sequence; s >= Math.max(0, sequence - lookback); s--) {
      Optional<LatentFrame> f = latest(store, cameraId, s);
      if (f.isPresent()) {
        return f;
      }
    }
    return Optional.empty();
  }

  /** The latest retained frame (camera, sequence), if any. */
  public static Optional<LatentFrame> latest(ReadOnlyWindowStore<String, LatentFrame> store, String cameraId,
      long sequence) {
    try (WindowStoreIterator<LatentFrame> it = store.backwardFetch(storeKey(cameraId, sequence), Instant.EPOCH,
        Instant.ofEpochMilli(Long.MAX_VALUE))) {
      return it.hasNext() ? Optional.ofNullable(it.next().value) : Optional.empty();
    }
  }
}
