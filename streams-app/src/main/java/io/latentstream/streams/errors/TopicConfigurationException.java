package io.latentstream.streams.errors;

import java.util.List;

/**
 * Topics exist with settings this app cannot run with (or are missing while creating them is off).
 * Raised at start, before any frame is processed; the message names every topic, setting, expected
 * and actual value. Immutable.
 */
public class TopicConfigurationException extends RuntimeException {

  private final List<String> problems;

  public TopicConfigurationException(List<String> problems) {
    super("topics do not match the configuration:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  /** One line per problem: topic, setting, expected, actual. */
  public List<String> problems() {
    return problems;
  }
}
