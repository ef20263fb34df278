package io.latentstream.streams.topology;

import io.latentstream.schemas.DecodeOutputFormat;
import io.latentstream.schemas.DecodeRequest;
import io.latentstream.schemas.DecodeStatus;
import io.latentstream.schemas.DecodedFrame;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.PixelFormat;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Answers one {@link DecodeRequest} (already routed to the task that holds its camera's partition) with a
 * {@link DecodedFrame}: OK with the pixels, NOT_FOUND when the frame is not retained, MODEL_UNAVAILABLE or FAILED
 * with the reason. Every request gets exactly one answer, keyed by its reply key (else its request id).
 * One instance per task; not thread-safe.
 */
final class DecodeRequestProcessor implements Processor<String, DecodeRequest, String, DecodedFrame> {
  private final LatentFrameDecoder decoder;
  private final Clock clock;
  private ProcessorContext<String, DecodedFrame> context;
  private WindowStore<String, LatentFrame> store;

  DecodeRequestProcessor(LatentFrameDecoder decoder, Clock clock) {
    this.decoder = decoder;
    this.clock = clock;
  }

  @Override
  public void init(ProcessorContext<String, DecodedFrame> context) {
    this.context = context;
    this.store = context.getStateStore(DecodeTopology.STORE);
  }

  @Override
  public void process(Record<String, DecodeRequest> record) {
    DecodeRequest request = record.value();
    if (request == null) {
      return;
    }
    DecodedFrame.Builder answer = DecodedFrame.newBuilder()
        .setRequestId(request.getRequestId())
        .setCameraId(request.getCameraId())
        .setSequence(request.getSequence())
        .setWidth(0)
        .setHeight(0)
        .setDecodeTime(clock.instant());
    Optional<LatentFrame> frame = DecodeTopology.latest(store, request.getCameraId(), request.getSequence());
    if (frame.isEmpty()) {
      answer.setStatus(DecodeStatus.NOT_FOUND).setError("frame " + request.getSequence() + " of camera "
          + request.getCameraId() + " is not retained");
    } else {
      answer.setModelVersion(frame.get().getModelVersion());
      LatentFrameDecoder.Result result = decoder.decode(frame.get(),
          seq -> DecodeTopology.latest(store, request.getCameraId(), seq));
      if (result instanceof LatentFrameDecoder.Decoded ok) {
        boolean png = request.getOutputFormat() == DecodeOutputFormat.PNG;
        answer.setStatus(DecodeStatus.OK)
            .setWidth(ok.image().width())
            .setHeight(ok.image().height())
            .setFormat(png ? PixelFormat.PNG : ok.rawFormat())
            .setPixels(ByteBuffer.wrap(png ? ok.png() : ok.image().pixels()));
      } else {
        LatentFrameDecoder.Failed failed = (LatentFrameDecoder.Failed) result;
        answer.setStatus(failed.status()).setError(failed.error());
      }
    }
    String key = request.getReplyKey() != null ? request.getReplyKey() : request.getRequestId();
    context.forward(new Record<>(key, answer.build(), record.timestamp()));
  }
}
