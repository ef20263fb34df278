package io.latentstream.streams.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code POST /cameras/{id}/keyframe}: asks for a KEY frame from a camera, the way a video receiver
 * that joined late asks its sender for a new picture. Writes a record keyed by the camera id to the
 * key-frame request topic; the task that encodes the camera makes its next frame a KEY frame.
 * Answers 202 once the broker has the request, 503 when it cannot be written. Authorised like every
 * endpoint but {@code /health}. Thread-safe; does not own the producer.
 */
public final class KeyframeRequestHandler implements HttpHandler {
  /** Context path to mount the handler on. */
  public static final String CONTEXT = "/cameras/";

  private static final Pattern PATH = Pattern.compile("/cameras/([^/]+)/keyframe");

  private final Producer<byte[], byte[]> producer;
  private final String topic;

  public KeyframeRequestHandler(Producer<byte[], byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Matcher m = PATH.matcher(exchange.getRequestURI().getRawPath());
      if (!m.matches()) {
        Responses.text(exchange, 404, "use POST /cameras/{id}/keyframe\n");
        return;
      }
      if (!Responses.allowMethods(exchange, "POST")) {
        return;
      }
      String camera = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
      if (camera.isBlank()) {
        Responses.text(exchange, 400, "empty camera id\n");
        return;
      }
      try {
        producer
            .send(new ProducerRecord<>(topic, camera.getBytes(StandardCharsets.UTF_8), new byte[0]))
            .get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        exchange.getResponseHeaders().set("Retry-After", "5");
        Responses.text(
            exchange,
            503,
            "the request could not be written to " + topic + ": " + e.getMessage() + "\n");
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        Responses.text(exchange, 503, "interrupted\n");
        return;
      }
      Responses.text(exchange, 202, "key frame requested for camera " + camera + "\n");
    }
  }
}
