package io.latentstream.streams.topology;

import io.latentstream.schemas.LatentFrame;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Keeps every latent frame of this task's partitions in the retained store {@link DecodeTopology#STORE}, keyed by
 * (camera, sequence) at the record's timestamp; the window store drops frames older than the retention. Emits
 * nothing. One instance per task; not thread-safe.
 */
final class LatentFrameStoreProcessor implements Processor<String, LatentFrame, Void, Void> {
  private WindowStore<String, LatentFrame> store;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(DecodeTopology.STORE);
  }

  @Override
  public void process(Record<String, LatentFrame> record) {
    LatentFrame frame = record.value();
    if (frame == null) {
      return;
    }
    store.put(DecodeTopology.storeKey(frame.getCameraId(), frame.getSequence()), frame, record.timestamp());
  }
}
