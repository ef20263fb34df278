package io.latentstream.streams.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentstream.schemas.registry.RegistryUnavailableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class TransientFailureExceptionHandlerTest {

  private final TransientFailureExceptionHandler handler = new TransientFailureExceptionHandler();

  @Test
  void shouldReplaceTheThreadWhenTheRegistryIsUnreachable() {
    Throwable e =
        new StreamsException(
            new SerializationException(
                "cannot fetch schema", new RegistryUnavailableException("down", -1, null)));

    assertThat(handler.handle(e)).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
  }

  @Test
  void shouldReplaceTheThreadWhenKafkaTimesOut() {
    assertThat(handler.handle(new StreamsException(new TimeoutException("broker slow"))))
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
  }

  @Test
  void shouldShutDownTheClientWhenTheFailureIsABug() {
    assertThat(handler.handle(new StreamsException(new IllegalStateException("bug"))))
        .isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
  }
}
