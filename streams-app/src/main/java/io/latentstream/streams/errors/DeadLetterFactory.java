package io.latentstream.streams.errors;

import io.latentstream.schemas.DeadLetter;
import io.latentstream.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;

/**
 * Builds the {@link DeadLetter} of a failed input record: where it came from, why it failed, and
 * its original bytes cut to a configured cap (the cap keeps a dead letter below the topic's message
 * size; {@code originalSize} says how much was cut). The record's key is cut to {@link
 * #MAX_KEY_BYTES}, in the dead letter and as the dead letter's own Kafka key ({@link #cappedKey}):
 * a key can be as large as a message, and one copied twice would make the dead letter itself too
 * large to write. The message says when a key was cut, and from which size.
 *
 * <p>Immutable and thread-safe.
 */
public final class DeadLetterFactory {

  /**
   * Where a failed record was read: topic, partition, offset and Kafka timestamp (negative: none).
   */
  public record Source(String topic, int partition, long offset, long timestamp) {}

  /** Most bytes of a failed record's key kept (camera ids and request ids are far shorter). */
  public static final int MAX_KEY_BYTES = 1024;

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
   * @param modelVersion the model involved, or null when the failure happened before model
   *     selection
   */
  public DeadLetter create(
      Source source,
      byte[] key,
      byte[] value,
      DeadLetterReason reason,
      String message,
      Throwable cause,
      String modelVersion) {
    return DeadLetter.newBuilder()
        .setSourceTopic(source.topic())
        .setSourcePartition(source.partition())
        .setSourceOffset(source.offset())
        .setSourceTimestamp(
            source.timestamp() < 0 ? null : Instant.ofEpochMilli(source.timestamp()))
        .setKey(key == null ? null : ByteBuffer.wrap(cappedKey(key)))
        .setReason(reason)
        .setMessage(
            (message == null ? reason.name() : message)
                + (key != null && key.length > MAX_KEY_BYTES
                    ? " (key cut from " + key.length + " to " + MAX_KEY_BYTES + " bytes)"
                    : ""))
        .setExceptionClass(cause == null ? null : cause.getClass().getName())
        .setModelVersion(modelVersion)
        .setFailureTime(clock.instant())
        .setOriginalSize(value == null ? -1L : value.length)
        .setValue(
            value == null
                ? null
                : ByteBuffer.wrap(
                    value.length <= maxOriginalBytes
                        ? value
                        : Arrays.copyOf(value, maxOriginalBytes)))
        .build();
  }

  /**
   * The key to write a dead letter under: the failed record's key, cut to {@link #MAX_KEY_BYTES};
   * null stays null.
   */
  public static byte[] cappedKey(byte[] key) {
    return key == null || key.length <= MAX_KEY_BYTES ? key : Arrays.copyOf(key, MAX_KEY_BYTES);
  }
}
