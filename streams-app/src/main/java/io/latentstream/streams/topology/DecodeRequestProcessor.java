package io.latentstream.streams.topology;

import io.latentstream.schemas.DecodeOutputFormat;
import io.latentstream.schemas.DecodeRequest;
import io.latentstream.schemas.DecodeStatus;
import io.latentstream.schemas.DecodedFrame;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.PixelFormat;
import io.latentstream.streams.errors.TransientFailureExceptionHandler;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one {@link DecodeRequest} (already routed to the task that holds its camera's partition)
 * with a {@link DecodedFrame}: OK with the pixels, NOT_FOUND when the frame is not retained,
 * MODEL_UNAVAILABLE or FAILED with the reason. Every request gets exactly one answer, keyed by its
 * reply key (else its request id).
 *
 * <p>An answer never carries more than {@code maxPixelBytes} of pixels ({@code frame.max.bytes},
 * which the topics' and producer's record limits leave room for): a larger picture is answered
 * FAILED, pointing to the REST endpoint, because a record over the producer's limit would fail the
 * task and the request would be replayed for ever. For the same reason a failure while decoding is
 * answered FAILED, not thrown; only outages (the schema registry or a broker unreachable) are
 * thrown, so that the thread is replaced and the request answered once they are over.
 *
 * <p>One instance per task; not thread-safe.
 */
final class DecodeRequestProcessor
    implements Processor<String, DecodeRequest, String, DecodedFrame> {
  private static final Logger LOG = LoggerFactory.getLogger(DecodeRequestProcessor.class);

  private final LatentFrameDecoder decoder;
  private final Clock clock;
  private final int maxPixelBytes;
  private ProcessorContext<String, DecodedFrame> context;
  private WindowStore<String, LatentFrame> store;
  private WindowStore<String, byte[]> checkpoints;

  DecodeRequestProcessor(LatentFrameDecoder decoder, Clock clock, int maxPixelBytes) {
    this.decoder = decoder;
    this.clock = clock;
    this.maxPixelBytes = maxPixelBytes;
  }

  @Override
  public void init(ProcessorContext<String, DecodedFrame> context) {
    this.context = context;
    this.store = context.getStateStore(DecodeTopology.STORE);
    this.checkpoints = context.getStateStore(DecodeTopology.CHECKPOINTS);
  }

  @Override
  public void process(Record<String, DecodeRequest> record) {
    DecodeRequest request = record.value();
    if (request == null) {
      return;
    }
    DecodedFrame.Builder answer =
        DecodedFrame.newBuilder()
            .setRequestId(request.getRequestId())
            .setCameraId(request.getCameraId())
            .setSequence(request.getSequence())
            .setWidth(0)
            .setHeight(0)
            .setDecodeTime(clock.instant());
    try {
      answer(request, answer);
    } catch (RuntimeException e) {
      if (TransientFailureExceptionHandler.isTransient(e)) {
        throw e;
      }
      LOG.warn(
          "decode request {} for frame {} of camera {} failed: {}",
          request.getRequestId(),
          request.getSequence(),
          request.getCameraId(),
          e.toString(),
          e);
      answer
          .setStatus(DecodeStatus.FAILED)
          .setError("cannot decode frame: " + e)
          .setWidth(0)
          .setHeight(0)
          .setFormat(null)
          .setPixels(null);
    }
    String key = request.getReplyKey() != null ? request.getReplyKey() : request.getRequestId();
    context.forward(new Record<>(key, answer.build(), record.timestamp()));
  }

  private void answer(DecodeRequest request, DecodedFrame.Builder answer) {
    Optional<LatentFrame> frame =
        DecodeTopology.latest(store, request.getCameraId(), request.getSequence());
    if (frame.isEmpty()) {
      answer
          .setStatus(DecodeStatus.NOT_FOUND)
          .setError(
              "frame "
                  + request.getSequence()
                  + " of camera "
                  + request.getCameraId()
                  + " is not retained");
      return;
    }
    answer.setModelVersion(frame.get().getModelVersion());
    LatentFrameDecoder.Result result =
        decoder.decode(
            frame.get(), DecodeTopology.chain(store, checkpoints, request.getCameraId()));
    if (result instanceof LatentFrameDecoder.Failed failed) {
      answer.setStatus(failed.status()).setError(failed.error());
      return;
    }
    LatentFrameDecoder.Decoded ok = (LatentFrameDecoder.Decoded) result;
    boolean png = request.getOutputFormat() == DecodeOutputFormat.PNG;
    byte[] pixels = png ? ok.png() : ok.image().pixels();
    if (pixels.length > maxPixelBytes) {
      answer
          .setStatus(DecodeStatus.FAILED)
          .setError(
              "the decoded frame ("
                  + ok.image().width()
                  + "x"
                  + ok.image().height()
                  + ", "
                  + pixels.length
                  + " bytes as "
                  + request.getOutputFormat()
                  + ") is larger than an answer on this topic may be ("
                  + maxPixelBytes
                  + " bytes, frame.max.bytes)"
                  + (png ? "" : "; ask for PNG,")
                  + " or fetch it over REST: GET /frames/"
                  + request.getCameraId()
                  + "/"
                  + request.getSequence()
                  + (png ? "" : "?format=raw"));
      return;
    }
    answer
        .setStatus(DecodeStatus.OK)
        .setWidth(ok.image().width())
        .setHeight(ok.image().height())
        .setFormat(png ? PixelFormat.PNG : ok.rawFormat())
        .setPixels(ByteBuffer.wrap(pixels));
  }
}
