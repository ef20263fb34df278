package io.latentstream.streams.errors;

import io.latentstream.schemas.registry.RegistryUnavailableException;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a stream thread's death means: a transient failure (the schema registry or a broker
 * unreachable for a while, a Kafka {@link RetriableException}) replaces the thread, which resumes
 * from the last committed offsets, so no good frame is dead-lettered because of an outage; anything
 * else shuts this client down so that the orchestrator restarts it and the failure is visible.
 *
 * <p>Stateless and thread-safe.
 */
public final class TransientFailureExceptionHandler implements StreamsUncaughtExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(TransientFailureExceptionHandler.class);

  @Override
  public StreamThreadExceptionResponse handle(Throwable exception) {
    if (isTransient(exception)) {
      LOG.warn(
          "stream thread failed on a transient error, replacing it: {}",
          exception.toString(),
          exception);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    LOG.error("stream thread failed, shutting this instance down", exception);
    return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }

  /** True when anything in the cause chain is an outage rather than a bug or bad data. */
  public static boolean isTransient(Throwable exception) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable t = exception;
        t != null && seen.put(t, Boolean.TRUE) == null;
        t = t.getCause()) {
      if (t instanceof RegistryUnavailableException
          || t instanceof RetriableException
          || t instanceof java.net.ConnectException
          || t instanceof java.net.http.HttpTimeoutException) {
        return true;
      }
    }
    return false;
  }
}
