package io.latentstream.streams.topology;

import io.latentstream.schemas.DeadLetterReason;
import io.latentstream.schemas.serde.AvroDeserializer;
import io.latentstream.schemas.serde.InvalidPayloadException;
import io.latentstream.streams.errors.DeadLetterFactory;
import io.latentstream.streams.metrics.CommitBoundMetrics;
import io.latentstream.streams.metrics.PipelineMetrics;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the value bytes of one input record into its Avro type and checks it, so that a record
 * nobody can read becomes a dead letter (with its reason, its original bytes and its topic,
 * partition and offset) instead of an exception that stops the stream thread and, replayed after
 * every restart, the whole service.
 *
 * <p>Every record yields exactly one {@link ReadOutcome}: {@code Read} with the value, or {@code
 * Rejected} for an undecodable, truncated, foreign-schema or malformed payload, a null value, or a
 * value the {@link Check} refuses. Failures that are not the record's fault (the schema registry
 * unreachable) are thrown, as on the encode path: the thread is replaced and the record read again.
 *
 * <p>One instance per stream task; not thread-safe.
 *
 * @param <T> the record type of the topic
 */
final class RecordReader<T extends SpecificRecord>
    implements Processor<byte[], byte[], byte[], ReadOutcome<T>> {

  private static final Logger LOG = LoggerFactory.getLogger(RecordReader.class);

  /** Why a value that deserialized is still refused. */
  record Problem(DeadLetterReason reason, String message) {}

  /** A check of a deserialized value: a problem, or empty when the value is fine. */
  @FunctionalInterface
  interface Check<T> {
    Optional<Problem> problem(T value);
  }

  private final AvroDeserializer<T> deserializer;
  private final Check<T> check;
  private final DeadLetterFactory deadLetters;
  private final PipelineMetrics metrics;
  private final String metricsStore;
  private ProcessorContext<byte[], ReadOutcome<T>> context;
  private CommitBoundMetrics pending;

  /**
   * @param metricsStore the {@link CommitBoundMetrics} store connected to this processor
   */
  RecordReader(
      AvroDeserializer<T> deserializer,
      Check<T> check,
      DeadLetterFactory deadLetters,
      PipelineMetrics metrics,
      String metricsStore) {
    this.deserializer = deserializer;
    this.check = check;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
    this.metricsStore = metricsStore;
  }

  @Override
  public void init(ProcessorContext<byte[], ReadOutcome<T>> context) {
    this.context = context;
    this.pending = context.getStateStore(metricsStore);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    try {
      read(record);
    } catch (RuntimeException e) {
      pending.discard(); // the task fails and its transaction is aborted: its records are read and
      // counted again
      throw e;
    }
  }

  private void read(Record<byte[], byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElseThrow();
    byte[] value = record.value();
    if (value == null) {
      reject(
          record,
          meta,
          new Problem(
              DeadLetterReason.UNDECODABLE_PAYLOAD, "null value (tombstone) on " + meta.topic()),
          null);
      return;
    }
    T read;
    try {
      read = deserializer.deserialize(meta.topic(), value);
    } catch (InvalidPayloadException e) {
      reject(record, meta, new Problem(e.reason(), e.getMessage()), e);
      return;
    }
    Optional<Problem> problem;
    try {
      problem = check.problem(read);
    } catch (RuntimeException e) {
      // a check that cannot make sense of the value: the value is at fault
      problem = Optional.of(new Problem(DeadLetterReason.MALFORMED_PAYLOAD, e.toString()));
    }
    if (problem.isPresent()) {
      reject(record, meta, problem.get(), null);
      return;
    }
    context.forward(record.withValue(new ReadOutcome.Read<>(read)));
  }

  private void reject(
      Record<byte[], byte[]> record, RecordMetadata meta, Problem problem, Throwable cause) {
    LOG.debug(
        "dead-lettering {}-{}@{}: {} {}",
        meta.topic(),
        meta.partition(),
        meta.offset(),
        problem.reason(),
        problem.message());
    DeadLetterFactory.Source source =
        new DeadLetterFactory.Source(
            meta.topic(), meta.partition(), meta.offset(), record.timestamp());
    context.forward(
        record
            .withKey(DeadLetterFactory.cappedKey(record.key()))
            .withValue(
                new ReadOutcome.Rejected<>(
                    deadLetters.create(
                        source,
                        record.key(),
                        record.value(),
                        problem.reason(),
                        problem.message(),
                        cause,
                        null))));
    DeadLetterReason reason = problem.reason();
    pending.record(() -> metrics.deadLetter(reason));
  }
}
