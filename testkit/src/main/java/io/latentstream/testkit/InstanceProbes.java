package io.latentstream.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a test asks a running streams app instance over HTTP while it waits for it (in this JVM, in
 * a child process or in a container): its readiness and how many frames it encoded. An instance
 * that does not answer (not up yet, just killed) is an answer too, never an exception: these are
 * polled.
 */
public final class InstanceProbes {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Pattern ENCODED =
      Pattern.compile("^latentstream_frames_encoded_total (\\S+)$", Pattern.MULTILINE);

  private InstanceProbes() {}

  /**
   * The status of a GET of {@code uri}, or -1 when no answer came within 10 s.
   *
   * @param token the bearer token to send, or null for none
   */
  public static int status(URI uri, String token) {
    HttpResponse<String> r = get(uri, token);
    return r == null ? -1 : r.statusCode();
  }

  /** Whether the instance at {@code instance} answers {@code /ready} with 200. */
  public static boolean isReady(URI instance) {
    return status(instance.resolve("/ready"), null) == 200;
  }

  /**
   * The instance's {@code latentstream_frames_encoded_total}, or 0 while it does not answer.
   *
   * @param token the bearer token to send, or null for none
   */
  public static double framesEncoded(URI instance, String token) {
    HttpResponse<String> r = get(instance.resolve("/metrics"), token);
    if (r == null || r.statusCode() != 200) {
      return 0;
    }
    Matcher m = ENCODED.matcher(r.body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static HttpResponse<String> get(URI uri, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
