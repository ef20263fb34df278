package io.latentstream.streams.errors;

import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;

/**
 * Builds the {@link DeadLetter} of a failed input record: where it came from, why it failed, and its original
 * bytes cut to a configured cap (the cap keeps a dead letter below the topic's message size; {@code originalSize}
 * says how much was cut).
 *
 * <p>Immutable and thread-safe.
 */
public final class DeadLetterFactory {

  /** Where a failed record was read: topic, partition, offset and Kafka timestamp (negative: none). */
  public record Source(String topic, int partition, long offset, long timestamp) {}

  private final int maxOriginalBytes;
  private final Clock clock;

  public DeadLetterFactory(int maxOriginalBytes, Clock clock) {
    if (maxOriginalBytes < 0) {
      throw new IllegalArgumentException("maxOriginalBytes must not be negative");
    }
    this.maxOriginalBytes = maxOriginalBytes;
    this.clock = clock;
  }

  /**
   * The dead letter of one record.
   *
   * @param key the record's key bytes, or null
   * @param value the record's value bytes, or null
   * @param cause the exception behind the failure, or null
   * @param modelVersion the model involved, or null when the failure happened before model selection
   */
  public DeadLetter create(Source source, byte[] key, byte[] value, DeadLetterReason reason, String message,
      Throwable cause, String modelVersion) {
    return DeadLetter.newBuilder()
        .setSourceTopic(source.topic())
        .setSourcePartition(source.partition())
        .setSourceOffset(source.offset())
        .setSourceTimestamp(source.timestamp() < 0 ? null : Instant.ofEpochMilli(source.timestamp()))
        .setKey(key == null ? null : ByteBuffer.wrap(key))
        .setReason(reason)
        .setMessage(message == null ? reason.name() : message)
        .setExceptionClass(cause == null ? null : cause.getClass().getName())
        .setModelVersion(modelVersion)
        .setFailureTime(clock.instant())
        .setOriginalSize(value == null ? -1L : value.length)
        .setValue(value == null ? null
            : ByteBuffer.wrap(value.length <= maxOriginalBytes ? value : Arrays.copyOf(value, maxOriginalBytes)))
        .build();
  }
}
