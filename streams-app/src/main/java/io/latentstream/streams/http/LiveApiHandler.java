package io.latentstream.streams.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.latentstream.streams.metrics.PipelineMetrics;
import io.latentstream.streams.model.ActiveModels;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/live}: what the live page polls, as JSON:
 *
 * <pre>
 * { "generatedAt": ISO instant,
 *   "model": { "name", "current", "loaded": [versions, current first], "swaps" },
 *   "totals": { "scope": "instance", "framesIn", "framesEncoded", "deadLetters" },
 *   "feed": { "topic", "records", "skipped", "cameraLimit", "evictedCameras" },
 *   "cameras": [ { "id", "latestSequence" (a string), "latestModelVersion", "width", "height", "frames", "updatedAt",
 *                  "bpp": [[sequence, epochMillis, value], ...], "psnr": [[sequence, epochMillis, value], ...] } ] }
 * </pre>
 *
 * Cameras come from {@link LiveFeed} (every camera of the latent topic, whichever instance encodes
 * it); totals and models are this instance's. Mounted behind the same bearer token as every other
 * data endpoint. Thread-safe; reads its sources only.
 */
public final class LiveApiHandler implements HttpHandler {
  /** Context path to mount the handler on. */
  public static final String CONTEXT = "/api/live";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final LiveStats stats;
  private final LiveFeed feed;
  private final ActiveModels models;
  private final PipelineMetrics metrics;

  public LiveApiHandler(
      LiveStats stats, LiveFeed feed, ActiveModels models, PipelineMetrics metrics) {
    this.stats = stats;
    this.feed = feed;
    this.models = models;
    this.metrics = metrics;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!Responses.allowMethods(exchange, "GET")) {
        return;
      }
      if (!exchange.getRequestURI().getPath().equals(CONTEXT)) {
        Responses.text(exchange, 404, "no such resource\n");
        return;
      }
      byte[] body = JSON.writeValueAsBytes(describe());
      var headers = exchange.getResponseHeaders();
      headers.set("Content-Type", "application/json; charset=utf-8");
      headers.set("Cache-Control", "no-store");
      headers.set("X-Content-Type-Options", "nosniff");
      if (exchange.getRequestMethod().equals("HEAD")) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** The JSON document served. */
  ObjectNode describe() {
    ObjectNode root = JSON.createObjectNode();
    root.put("generatedAt", Instant.now().toString());
    ObjectNode model = root.putObject("model");
    model.put("name", models.modelName());
    model.put("current", models.currentVersionIfLoaded().orElse(null));
    ArrayNode loaded = model.putArray("loaded");
    models.loadedVersions().forEach(loaded::add);
    model.put("swaps", models.swapCount());
    ObjectNode totals = root.putObject("totals");
    totals.put("scope", "instance");
    totals.put("framesIn", metrics.framesIn());
    totals.put("framesEncoded", metrics.framesEncoded());
    totals.put("deadLetters", metrics.deadLettersTotal());
    ObjectNode feedNode = root.putObject("feed");
    feedNode.put("topic", feed.topic());
    feedNode.put("records", feed.records());
    feedNode.put("skipped", feed.skipped());
    feedNode.put("cameraLimit", stats.maxCameras());
    feedNode.put("evictedCameras", stats.evictedCameras());
    ArrayNode cameras = root.putArray("cameras");
    for (LiveStats.CameraView c : stats.snapshot()) {
      ObjectNode cam = cameras.addObject();
      cam.put("id", c.camera());
      cam.put("latestSequence", Long.toString(c.latestSequence())); // 64-bit: exact in JavaScript
      cam.put("latestModelVersion", c.latestModelVersion());
      cam.put("width", c.width());
      cam.put("height", c.height());
      cam.put("frames", c.frames());
      cam.put("updatedAt", Instant.ofEpochMilli(c.updatedAtMillis()).toString());
      points(cam.putArray("bpp"), c.bpp());
      points(cam.putArray("psnr"), c.psnr());
    }
    return root;
  }

  private static void points(ArrayNode out, List<LiveStats.Point> points) {
    for (LiveStats.Point p : points) {
      out.addArray().add(p.sequence()).add(p.atMillis()).add(Math.round(p.value() * 1e4) / 1e4);
    }
  }
}
