package io.latentstream.streams.topology;

import io.latentstream.codec.sequence.ReferenceState;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Keeps every latent frame of this task's partitions in the retained store {@link
 * DecodeTopology#STORE}, keyed by (camera, sequence). A KEY frame is stored at its record's
 * timestamp, a DELTA frame at its key frame's, so the window store (which drops whole time segments
 * past the retention) drops a chain as one: a DELTA is never kept without its key, a key never
 * dropped while a kept DELTA needs it. A DELTA whose key frame is not in the store (it expired, or
 * was never seen) could not be decoded and is not kept. Each camera's last key frame (sequence,
 * timestamp) is remembered, so a DELTA costs no store read; only the first DELTA after a (re)start
 * looks its key up.
 *
 * <p>It also follows each chain as it arrives ({@link ChainFollower}, entropy decoding only) and
 * keeps a reference state every {@value ChainFollower#EVERY} frames of a chain in {@link
 * DecodeTopology#CHECKPOINTS}, stored like the frames (same key, the chain's timestamp, same
 * retention) so that checkpoints expire with their chain, are restored from their changelog with
 * the frames after a restart or a move, and are read by every decoder of this instance (decode
 * requests and {@code GET /frames}). Emits nothing. One instance per task; not thread-safe.
 */
final class LatentFrameStoreProcessor implements Processor<byte[], LatentFrame, Void, Void> {
  /** A camera's last key frame: its sequence and the timestamp its chain is stored at. */
  private record Key(long sequence, long timestamp) {}

  private final Map<String, Key> lastKey = new HashMap<>();
  private final ChainFollower follower;
  private WindowStore<String, LatentFrame> store;
  private WindowStore<String, byte[]> checkpoints;

  LatentFrameStoreProcessor(ChainFollower follower) {
    this.follower = follower;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(DecodeTopology.STORE);
    checkpoints = context.getStateStore(DecodeTopology.CHECKPOINTS);
    lastKey
        .clear(); // a (re)initialised task's store holds what is committed, which the store lookup
    // finds
    follower
        .forget(); // likewise: the next frame of each camera catches up from the stored checkpoints
  }

  @Override
  public void process(Record<byte[], LatentFrame> record) {
    LatentFrame frame = record.value();
    if (frame == null) {
      return;
    }
    String camera = frame.getCameraId();
    long timestamp = record.timestamp();
    if (frame.getFrameType() == FrameType.KEY) {
      lastKey.put(camera, new Key(frame.getSequence(), timestamp));
    } else {
      Long key = frame.getKeySequence();
      if (key == null) {
        return;
      }
      Key known = lastKey.get(camera);
      if (known == null || known.sequence() != key) {
        Long keyTime = keyTimestamp(camera, key);
        if (keyTime == null) {
          return;
        }
        known = new Key(key, keyTime);
        lastKey.put(camera, known);
      }
      timestamp = known.timestamp();
    }
    store.put(DecodeTopology.storeKey(camera, frame.getSequence()), frame, timestamp);
    long chainTime = timestamp;
    follower.follow(
        frame,
        DecodeTopology.chain(store, checkpoints, camera),
        state -> keep(camera, state, chainTime));
  }

  private void keep(String camera, ReferenceState state, long chainTime) {
    checkpoints.put(DecodeTopology.storeKey(camera, state.sequence()), state.toBytes(), chainTime);
  }

  private Long keyTimestamp(String camera, long keySequence) {
    try (WindowStoreIterator<LatentFrame> it =
        store.backwardFetch(
            DecodeTopology.storeKey(camera, keySequence),
            Instant.EPOCH,
            Instant.ofEpochMilli(Long.MAX_VALUE))) {
      while (it.hasNext()) {
        KeyValue<Long, LatentFrame> kv = it.next();
        if (kv.value != null && kv.value.getFrameType() == FrameType.KEY) {
          return kv.key;
        }
      }
      return null;
    }
  }
}
