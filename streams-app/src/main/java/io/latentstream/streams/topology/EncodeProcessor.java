package io.latentstream.streams.topology;

import io.latentstream.codec.CodecException;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.ModelClosedException;
import io.latentstream.codec.model.ModelResolver;
import io.latentstream.codec.sequence.KeyframeCause;
import io.latentstream.codec.sequence.SequenceEncoder;
import io.latentstream.codec.sequence.SequenceFrame;
import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.DeadLetterReason;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.serde.AvroDeserializer;
import io.latentstream.schemas.serde.InvalidPayloadException;
import io.latentstream.streams.errors.DeadLetterFactory;
import io.latentstream.streams.errors.FrameRejectedException;
import io.latentstream.streams.metrics.CommitBoundMetrics;
import io.latentstream.streams.metrics.PipelineMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates, samples and encodes one raw frame record; emits an {@link EncodeOutcome} per result.
 *
 * <p>The value arrives as bytes and is deserialized here, so that a bad record's dead letter can
 * carry its original bytes and its topic, partition and offset. Every record ends as exactly one
 * {@code Encoded} or {@code Rejected} outcome (plus a {@code Sampled} copy for some valid frames).
 * Failures that are not the record's fault, such as the schema registry being unreachable, are
 * thrown: the task fails and the frame is processed again after the thread is replaced, instead of
 * a good frame being dead-lettered.
 *
 * <p><b>Key and delta frames.</b> {@code images.raw} is keyed by camera, so this task sees each of
 * its cameras' frames in order. Per camera a {@link SequenceEncoder} holds the reference in memory
 * and codes KEY or DELTA frames; the changelogged store {@link EncodeTopology#CHAIN_STORE} holds
 * each camera's committed {@link ChainPosition}. A DELTA is coded only when the in-memory chain is
 * exactly at the committed position, so after an aborted transaction, a task move or a restart (the
 * in-memory chains are also dropped at every {@link #init}) the next frame is a KEY frame, and no
 * DELTA ever refers to a frame a consumer cannot have. A frame whose sequence number repeats the
 * camera's last committed one is dead-lettered as DUPLICATE_FRAME, never encoded twice; a gap or a
 * reordering starts a new chain. Records of the key-frame request topic (keyed by camera) make that
 * camera's next frame a KEY frame.
 *
 * <p>Each frame pins the current model for its encoding ({@link ModelResolver#pin}): a hot swap
 * closes the previous model only after the frames in flight on it; a new model starts a new chain
 * (KEY, cause MODEL_CHANGE).
 *
 * <p><b>Time.</b> Every record this processor writes (latent frame, sample, dead letter) is stamped
 * with the time it was processed, not the raw record's timestamp, and the sample cap counts minutes
 * of processing time: a producer's clock is not trusted to decide how long its frames are kept (a
 * camera lagging by days would have its latent frames dropped by the topic's and the decode store's
 * retention at once) or whether it is sampled (a capture time in the future would have stopped its
 * sampling until that time came). The capture time stays in the frame.
 *
 * <p>One instance per stream task (Kafka Streams' contract); not thread-safe.
 */
public final class EncodeProcessor implements Processor<byte[], byte[], byte[], EncodeOutcome> {

  private static final Logger LOG = LoggerFactory.getLogger(EncodeProcessor.class);

  private final EncodeTopology.Settings settings;
  private final AvroDeserializer<RawFrame> deserializer;
  private final Supplier<LearnedCodec> codecs;
  private final PipelineMetrics metrics;
  private final RawFrameValidator validator;
  private final DeadLetterFactory deadLetters;
  private final Clock clock;
  private final Map<String, SequenceEncoder> encoders = new HashMap<>();
  private ProcessorContext<byte[], EncodeOutcome> context;
  private FrameSampler sampler;
  private KeyValueStore<String, byte[]> chains;
  private CommitBoundMetrics pending;

  EncodeProcessor(
      EncodeTopology.Settings settings,
      AvroDeserializer<RawFrame> deserializer,
      Supplier<LearnedCodec> codecs,
      PipelineMetrics metrics,
      Clock clock) {
    this.settings = settings;
    this.deserializer = deserializer;
    this.codecs = codecs;
    this.metrics = metrics;
    this.clock = clock;
    this.validator = new RawFrameValidator(settings.maxPixels());
    this.deadLetters = new DeadLetterFactory(settings.dlqMaxOriginalBytes(), clock);
  }

  @Override
  public void init(ProcessorContext<byte[], EncodeOutcome> context) {
    this.context = context;
    KeyValueStore<String, byte[]> store = context.getStateStore(EncodeTopology.SAMPLE_STORE);
    this.sampler = new FrameSampler(settings.sampleRate(), settings.sampleMaxPerMinute(), store);
    this.chains = context.getStateStore(EncodeTopology.CHAIN_STORE);
    this.pending = context.getStateStore(EncodeTopology.METRICS_STORE);
    // a (re)initialised task may continue from a committed position older than what this instance
    // last coded
    encoders.clear();
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    try {
      processRecord(record);
    } catch (RuntimeException e) {
      // the task fails and its transaction is aborted: what it did since its last commit is done
      // again, and
      // counted then
      pending.discard();
      throw e;
    }
  }

  private void processRecord(Record<byte[], byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    if (meta.topic().equals(settings.keyframeRequestTopic())) {
      keyframeRequested(record);
      return;
    }
    pending.record(metrics::frameIn);
    long start = System.nanoTime();
    long now = context.currentSystemTimeMs();
    DeadLetterFactory.Source source =
        new DeadLetterFactory.Source(
            meta.topic(), meta.partition(), meta.offset(), record.timestamp());
    byte[] value = record.value();
    RawFrame frame;
    try {
      frame = value == null ? null : deserializer.deserialize(meta.topic(), value);
    } catch (InvalidPayloadException e) {
      reject(record, source, e.reason(), e.getMessage(), e, null);
      return;
    }
    if (frame == null) {
      reject(
          record,
          source,
          DeadLetterReason.UNDECODABLE_PAYLOAD,
          "null value (tombstone) on a frame topic",
          null,
          null);
      return;
    }
    metrics.frameIn(frame.getCameraId(), clock.millis());
    PixelImage image;
    try {
      image = validator.toImage(frame);
    } catch (FrameRejectedException e) {
      reject(record, source, e.reason(), e.getMessage(), e.getCause(), null);
      return;
    }
    String camera = frame.getCameraId();
    ChainPosition committed = ChainPosition.fromBytes(chains.get(camera));
    if (committed != null && committed.sequence() == frame.getSequence()) {
      reject(
          record,
          source,
          DeadLetterReason.DUPLICATE_FRAME,
          "camera "
              + camera
              + ": sequence "
              + frame.getSequence()
              + " repeats the last frame encoded for this camera; not encoded again",
          null,
          committed.modelVersion());
      return;
    }
    byte[] key = camera.getBytes(StandardCharsets.UTF_8);
    if (sampler.sample(camera, frame.getSequence(), now)) {
      context.forward(
          new Record<byte[], EncodeOutcome>(key, new EncodeOutcome.Sampled(value), now));
      pending.record(metrics::sampled);
    }
    encode(record, source, frame, image, key, start, committed);
  }

  private void keyframeRequested(Record<byte[], byte[]> record) {
    pending.record(metrics::keyframeRequest);
    if (record.key() == null) {
      return;
    }
    String camera = new String(record.key(), StandardCharsets.UTF_8);
    SequenceEncoder encoder = encoders.get(camera);
    if (encoder != null) { // without one, the camera's next frame is a KEY frame anyway
      encoder.requestKeyframe();
    }
    LOG.debug("key frame requested for camera {}", camera);
  }

  /** The camera's encoder, its chain dropped unless it is exactly at the committed position. */
  private SequenceEncoder encoder(String camera, ChainPosition committed, CodecModel model) {
    SequenceEncoder encoder =
        encoders.computeIfAbsent(
            camera,
            c -> new SequenceEncoder(model, settings.keyframePolicy(), settings.deltaOptions()));
    boolean atCommitted =
        committed == null ? encoder.state() == null : committed.matches(encoder.state());
    if (!atCommitted) {
      encoder.reset();
    }
    return encoder;
  }

  private void encode(
      Record<byte[], byte[]> record,
      DeadLetterFactory.Source source,
      RawFrame frame,
      PixelImage image,
      byte[] key,
      long start,
      ChainPosition committed) {
    String camera = frame.getCameraId();
    ModelResolver.Pinned pinned;
    try {
      // pinned for the frame: a swap meanwhile closes the model only after it (a model-loading
      // failure here is not the
      // frame's fault: let it propagate)
      pinned = ModelResolver.pin(() -> codecs.get().encoderModel());
    } catch (ModelClosedException e) {
      reject(
          record,
          source,
          DeadLetterReason.MODEL_UNAVAILABLE,
          "model closed on every attempt: " + e.getMessage(),
          e,
          null);
      return;
    }
    try (pinned) {
      CodecModel model = pinned.model();
      String version = model.version();
      SequenceEncoder encoder = encoder(camera, committed, model);
      encoder.setModel(model);
      SequenceFrame coded;
      try {
        coded = encoder.encode(image, frame.getSequence(), frame.getCaptureTime().toEpochMilli());
      } catch (CodecException e) {
        reject(record, source, DeadLetterReason.MODEL_FAILURE, e.getMessage(), e, version);
        return;
      } catch (RuntimeException e) {
        // the model's runtime failed on this input (e.g. a TensorFlow error): the frame is
        // dead-lettered, the
        // service goes on
        LOG.warn(
            "model {} failed on {}/{}: {}", version, camera, frame.getSequence(), e.toString());
        reject(record, source, DeadLetterReason.MODEL_FAILURE, e.toString(), e, version);
        return;
      }
      chains.put(camera, ChainPosition.of(encoder.state()).toBytes());
      Double psnr = null;
      if (FrameSampler.selected("psnr", camera, frame.getSequence(), settings.psnrSampleRate())) {
        psnr = measurePsnr(encoder, image);
      }
      KeyframeCause cause = coded.cause();
      if (cause == KeyframeCause.START && committed != null) {
        cause =
            KeyframeCause
                .RESET; // this instance never coded the camera, but its chain was committed before
      }
      double bpp = coded.bpp();
      LatentFrame latent =
          LatentFrame.newBuilder()
              .setCameraId(camera)
              .setSequence(frame.getSequence())
              .setCaptureTime(frame.getCaptureTime())
              .setEncodeTime(clock.instant())
              .setModelName(model.manifest().name())
              .setModelVersion(coded.modelVersion())
              .setFrameType(coded.isKey() ? FrameType.KEY : FrameType.DELTA)
              .setOriginalWidth(frame.getWidth())
              .setOriginalHeight(frame.getHeight())
              .setOriginalFormat(frame.getPixelFormat())
              .setBitstream(ByteBuffer.wrap(coded.bitstream()))
              .setBpp(bpp)
              .setPsnr(psnr)
              .setKeySequence(coded.keySequence())
              .setReferenceSequence(coded.isKey() ? null : frame.getSequence() - 1)
              .setKeyframeCause(cause == null ? null : cause.name())
              .build();
      context.forward(
          new Record<byte[], EncodeOutcome>(
              key, new EncodeOutcome.Encoded(latent), context.currentSystemTimeMs()));
      long nanos = System.nanoTime() - start;
      String causeName = cause == null ? null : cause.name();
      pending.record(() -> metrics.encoded(nanos, bpp));
      pending.record(
          () ->
              metrics.latentFrame(
                  coded.type().name(),
                  causeName,
                  coded.bitstream().length,
                  coded.sequence() - coded.keySequence()));
      return;
    }
  }

  private Double measurePsnr(SequenceEncoder encoder, PixelImage image) {
    try {
      double db = QualityMetrics.psnr(image, encoder.reconstruction());
      pending.record(() -> metrics.psnr(db));
      return db;
    } catch (RuntimeException e) {
      // a measurement only: the frame is encoded either way
      LOG.warn("PSNR measurement failed: {}", e.toString());
      return null;
    }
  }

  private void reject(
      Record<byte[], byte[]> record,
      DeadLetterFactory.Source source,
      DeadLetterReason reason,
      String message,
      Throwable cause,
      String modelVersion) {
    LOG.debug(
        "dead-lettering {}-{}@{}: {} {}",
        source.topic(),
        source.partition(),
        source.offset(),
        reason,
        message);
    DeadLetter letter =
        deadLetters.create(
            source, record.key(), record.value(), reason, message, cause, modelVersion);
    context.forward(
        new Record<byte[], EncodeOutcome>(
            DeadLetterFactory.cappedKey(record.key()),
            new EncodeOutcome.Rejected(letter),
            context.currentSystemTimeMs()));
    pending.record(() -> metrics.deadLetter(reason));
  }
}
