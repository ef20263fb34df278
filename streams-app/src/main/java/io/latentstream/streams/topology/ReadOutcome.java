package io.latentstream.streams.topology;

import io.latentstream.schemas.DeadLetter;

/**
 * What reading one input record gave: the value, or the dead letter of a record that cannot be
 * read. Passed between processors of one task only, never serialized; treat the values as read-only
 * once emitted.
 *
 * @param <T> the record type of the topic
 */
public sealed interface ReadOutcome<T> {

  /** The record's value, deserialized and checked. */
  record Read<T>(T value) implements ReadOutcome<T> {}

  /** The record could not be read: goes to the dead-letter topic. */
  record Rejected<T>(DeadLetter deadLetter) implements ReadOutcome<T> {}
}
