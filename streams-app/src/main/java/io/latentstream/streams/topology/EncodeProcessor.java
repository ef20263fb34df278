package io.latentstream.streams.topology;

import io.latentstream.codec.CodecException;
import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.ModelClosedException;
import io.latentstream.schemas.DeadLetterReason;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.serde.AvroDeserializer;
import io.latentstream.schemas.serde.InvalidPayloadException;
import io.latentstream.streams.errors.DeadLetterFactory;
import io.latentstream.streams.errors.FrameRejectedException;
import io.latentstream.streams.metrics.PipelineMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
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
 * <p>The value arrives as bytes and is deserialized here, so that a bad record's dead letter can carry its
 * original bytes and its topic, partition and offset. Every record ends as exactly one {@code Encoded} or
 * {@code Rejected} outcome (plus a {@code Sampled} copy for some valid frames). Failures that are not the record's
 * fault, such as the schema registry being unreachable, are thrown: the task fails and the frame is processed
 * again after the thread is replaced, instead of a good frame being dead-lettered.
 *
 * <p>A model closed by a hot swap between fetching the codec and using it is retried with the current codec.
 *
 * <p>One instance per stream task (Kafka Streams' contract); not thread-safe.
 */
public final class EncodeProcessor implements Processor<byte[], byte[], byte[], EncodeOutcome> {

  private static final Logger LOG = LoggerFactory.getLogger(EncodeProcessor.class);
  private static final int SWAP_RETRIES = 3;

  private final EncodeTopology.Settings settings;
  private final AvroDeserializer<RawFrame> deserializer;
  private final Supplier<LearnedCodec> codecs;
  private final PipelineMetrics metrics;
  private final RawFrameDecoder decoder;
  private final DeadLetterFactory deadLetters;
  private final Clock clock;
  private ProcessorContext<byte[], EncodeOutcome> context;
  private FrameSampler sampler;

  EncodeProcessor(EncodeTopology.Settings settings, AvroDeserializer<RawFrame> deserializer,
      Supplier<LearnedCodec> codecs, PipelineMetrics metrics, Clock clock) {
    this.settings = settings;
    this.deserializer = deserializer;
    this.codecs = codecs;
    this.metrics = metrics;
    this.clock = clock;
    this.decoder = new RawFrameDecoder(settings.maxPixels());
    this.deadLetters = new DeadLetterFactory(settings.dlqMaxOriginalBytes(), clock);
  }

  @Override
  public void init(ProcessorContext<byte[], EncodeOutcome> context) {
    this.context = context;
    KeyValueStore<String, byte[]> store = context.getStateStore(EncodeTopology.SAMPLE_STORE);
    this.sampler = new FrameSampler(settings.sampleRate(), settings.sampleMaxPerMinute(), store);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    metrics.frameIn();
    long start = System.nanoTime();
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    DeadLetterFactory.Source source =
        new DeadLetterFactory.Source(meta.topic(), meta.partition(), meta.offset(), record.timestamp());
    byte[] value = record.value();
    RawFrame frame;
    try {
      frame = value == null ? null : deserializer.deserialize(meta.topic(), value);
    } catch (InvalidPayloadException e) {
      reject(record, source, e.reason(), e.getMessage(), e, null);
      return;
    }
    if (frame == null) {
      reject(record, source, DeadLetterReason.UNDECODABLE_PAYLOAD, "null value (tombstone) on a frame topic",
          null, null);
      return;
    }
    PixelImage image;
    try {
      image = decoder.decode(frame);
    } catch (FrameRejectedException e) {
      reject(record, source, e.reason(), e.getMessage(), e.getCause(), null);
      return;
    }
    byte[] key = frame.getCameraId().getBytes(StandardCharsets.UTF_8);
    if (sampler.sample(frame.getCameraId(), frame.getSequence(), frame.getCaptureTime().toEpochMilli())) {
      context.forward(new Record<byte[], EncodeOutcome>(key, new EncodeOutcome.Sampled(value), record.timestamp()));
      metrics.sampled();
    }
    encode(record, source, frame, image, key, start);
  }

  private void encode(Record<byte[], byte[]> record, DeadLetterFactory.Source source, RawFrame frame,
      PixelImage image, byte[] key, long start) {
    for (int attempt = 1; ; attempt++) {
      LearnedCodec codec = codecs.get(); // a registry failure here is not the frame's fault: let it propagate
      CodecModel model = codec.encoderModel();
      String version = model.version();
      EncodedImage encoded;
      try {
        encoded = codec.compress(image);
      } catch (ModelClosedException e) {
        if (attempt < SWAP_RETRIES) {
          LOG.debug("model {} closed by a swap while encoding, retrying with the current one", version);
          continue;
        }
        reject(record, source, DeadLetterReason.MODEL_UNAVAILABLE, "model closed on every attempt: "
            + e.getMessage(), e, version);
        return;
      } catch (CodecException e) {
        reject(record, source, DeadLetterReason.MODEL_FAILURE, e.getMessage(), e, version);
        return;
      } catch (RuntimeException e) {
        // the model's runtime failed on this input (e.g. a TensorFlow error): the frame is dead-lettered, the
        // service goes on
        LOG.warn("model {} failed on {}/{}: {}", version, frame.getCameraId(), frame.getSequence(), e.toString());
        reject(record, source, DeadLetterReason.MODEL_FAILURE, e.toString(), e, version);
        return;
      }
      Double psnr = null;
      if (FrameSampler.selected("psnr", frame.getCameraId(), frame.getSequence(), settings.psnrSampleRate())) {
        psnr = measurePsnr(codec, image, encoded);
      }
      double bpp = encoded.bpp();
      LatentFrame latent = LatentFrame.newBuilder()
          .setCameraId(frame.getCameraId())
          .setSequence(frame.getSequence())
          .setCaptureTime(frame.getCaptureTime())
          .setEncodeTime(clock.instant())
          .setModelName(model.manifest().name())
          .setModelVersion(encoded.modelVersion())
          .setFrameType(FrameType.KEY)
          .setOriginalWidth(frame.getWidth())
          .setOriginalHeight(frame.getHeight())
          .setOriginalFormat(frame.getPixelFormat())
          .setBitstream(ByteBuffer.wrap(encoded.bitstream()))
          .setBpp(bpp)
          .setPsnr(psnr)
          .build();
      context.forward(new Record<byte[], EncodeOutcome>(key, new EncodeOutcome.Encoded(latent), record.timestamp()));
      metrics.encoded(System.nanoTime() - start, bpp);
      return;
    }
  }

  private Double measurePsnr(LearnedCodec codec, PixelImage image, EncodedImage encoded) {
    try {
      double db = QualityMetrics.psnr(image, codec.decompress(encoded.bitstream()));
      metrics.psnr(db);
      return db;
    } catch (RuntimeException e) {
      // a measurement only: the frame is encoded either way
      LOG.warn("PSNR measurement failed: {}", e.toString());
      return null;
    }
  }

  private void reject(Record<byte[], byte[]> record, DeadLetterFactory.Source source, DeadLetterReason reason,
      String message, Throwable cause, String modelVersion) {
    LOG.debug("dead-lettering {}-{}@{}: {} {}", source.topic(), source.partition(), source.offset(), reason, message);
    context.forward(new Record<byte[], EncodeOutcome>(record.key(), new EncodeOutcome.Rejected(
        deadLetters.create(source, record.key(), record.value(), reason, message, cause, modelVersion)),
        record.timestamp()));
    metrics.deadLetter(reason);
  }
}
