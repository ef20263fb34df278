package io.latentstream.streams.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.latentstream.streams.model.ActiveModels;
import java.io.IOException;
import java.io.OutputStream;

/**
 * {@code GET /models}: this instance's models as JSON: the model name, the current encoder version,
 * the versions loaded (current first), the number of swaps and of rejected releases by reason, and
 * the last rejections with their messages. Thread-safe; reads the registry only (does not own it).
 */
public final class ModelsHandler implements HttpHandler {
  /** Context path to mount the handler on. */
  public static final String CONTEXT = "/models";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ActiveModels activeModels;

  public ModelsHandler(ActiveModels activeModels) {
    this.activeModels = activeModels;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!Responses.allowMethods(exchange, "GET")) {
        return;
      }
      byte[] body = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(describe(activeModels));
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** The JSON document served. */
  static ObjectNode describe(ActiveModels activeModels) {
    ObjectNode root = JSON.createObjectNode();
    root.put("model", activeModels.modelName());
    root.put("current", activeModels.currentVersionIfLoaded().orElse(null));
    ArrayNode loaded = root.putArray("loaded");
    activeModels.loadedVersions().forEach(loaded::add);
    root.put("swaps", activeModels.swapCount());
    root.put("lastSwap", activeModels.lastSwap().map(Object::toString).orElse(null));
    ObjectNode rejections = root.putObject("rejections");
    activeModels.rejectionCounts().forEach((reason, n) -> rejections.put(reason.name(), n));
    ArrayNode recent = root.putArray("recentRejections");
    for (ActiveModels.Rejection r : activeModels.recentRejections()) {
      recent
          .addObject()
          .put("version", r.version())
          .put("reason", r.reason().name())
          .put("message", r.message())
          .put("at", r.at().toString());
    }
    return root;
  }
}
