package io.latentstream.streams.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentstream.streams.StreamsApp;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's side of the retraining run: asks for it once enough sampled frames are stored, follows
 * it, and when it is promoted waits for the streams app to switch. Used by the main loop's thread
 * only.
 */
final class DemoRetraining {
  /** How long the demo waits for the streams app to switch to a promoted model. */
  private static final Duration SWITCH_TIMEOUT = Duration.ofSeconds(90);

  private static final ObjectMapper JSON = new ObjectMapper();
  private List<String> ids;
  private long requestedAt;
  private long lastStored = -1;
  private long storedChangedAt;
  private List<JsonNode> runs = List.of();
  private boolean decided;
  private boolean timedOut;
  private String awaitVersion;
  private long decidedAt;
  private String switchNote;
  private final int timeoutSeconds;

  DemoRetraining(int timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
  }

  /**
   * Whether a run is requested and not yet decided (or its promotion not yet visible in the app).
   */
  boolean active() {
    return ids != null && (!decided || awaitVersion != null);
  }

  /**
   * One look at the trainer; returns true once the cameras may go on (the run is decided and
   * applied).
   */
  boolean poll(
      DemoTrainer trainer,
      StreamsApp app,
      long now,
      long triggerAt,
      boolean partOneDone,
      PrintWriter err)
      throws IOException, InterruptedException {
    if (!trainer.isAlive()) {
      throw new IllegalStateException(
          "the retraining service stopped; log " + trainer.logFile() + ":\n" + trainer.logTail(20));
    }
    if (ids == null) {
      long stored = trainer.samplesStored();
      if (stored != lastStored) {
        lastStored = stored;
        storedChangedAt = now;
      }
      // enough samples, or the cameras are waiting and no more samples come
      if (stored >= triggerAt || (partOneDone && now - storedChangedAt > 10_000_000_000L)) {
        ids = trainer.requestRun();
        requestedAt = now;
        DemoCommand.progress(
            err,
            "retraining: "
                + stored
                + " sampled frames stored ("
                + trainer.reservoirFrames()
                + " in the reservoir); run "
                + String.join(", ", ids)
                + " requested");
      }
      return false;
    }
    if (!decided) {
      runs = trainer.runs(ids);
      boolean all = runs.size() == ids.size() && runs.stream().allMatch(DemoTrainer::finished);
      timedOut = !all && now - requestedAt > Duration.ofSeconds(timeoutSeconds).toNanos();
      if (!all && !timedOut) {
        return false;
      }
      decided = true;
      decidedAt = now;
      for (JsonNode r : runs) {
        DemoCommand.progress(err, "retraining: run " + r.path("id").asText() + " " + describe(r));
        if (r.path("state").asText().equals("PROMOTED")) {
          awaitVersion = r.path("challenger").asText();
        }
      }
      if (timedOut) {
        DemoCommand.progress(
            err, "retraining: no decision after " + timeoutSeconds + " s; the cameras go on");
      }
      if (awaitVersion == null) {
        return true;
      }
    }
    if (awaitVersion != null) {
      String current = app.models().currentVersionIfLoaded().orElse("");
      String version = awaitVersion;
      var rejected =
          app.models().recentRejections().stream()
              .filter(r -> r.version().equals(version))
              .findFirst();
      if (current.equals(awaitVersion)) {
        switchNote = "the streams app switched to " + awaitVersion;
      } else if (rejected.isPresent()) {
        switchNote =
            "the streams app rejected "
                + awaitVersion
                + ": "
                + rejected.get().reason()
                + " "
                + rejected.get().message();
      } else if (now - decidedAt > SWITCH_TIMEOUT.toNanos()) {
        switchNote =
            "the streams app did not switch to "
                + awaitVersion
                + " within "
                + SWITCH_TIMEOUT.toSeconds()
                + " s";
      } else {
        return false;
      }
      DemoCommand.progress(err, "retraining: " + switchNote);
      awaitVersion = null;
      return true;
    }
    return false;
  }

  /** Suffix of the progress line. */
  String progressSuffix() {
    if (ids == null) {
      return lastStored < 0 ? "" : ", samples stored " + lastStored;
    }
    if (decided) {
      return "";
    }
    if (runs.isEmpty()) {
      return ", retraining requested";
    }
    JsonNode r = runs.get(0);
    return String.format(
        Locale.ROOT,
        ", retraining %s step %d/%d",
        r.path("state").asText(),
        r.at("/progress/step").asLong(),
        r.at("/progress/steps").asLong());
  }

  /** One line for the summary. */
  String summary() {
    if (ids == null) {
      return "no run: the trainer did not get enough sampled frames before the frames ran out";
    }
    if (runs.isEmpty()) {
      return "run " + String.join(", ", ids) + " requested; no status came back";
    }
    List<String> parts = new ArrayList<>();
    for (JsonNode r : runs) {
      parts.add("run " + r.path("id").asText() + " " + describe(r));
    }
    if (switchNote != null) {
      parts.add(switchNote);
    }
    return String.join("; ", parts);
  }

  /**
   * The runs for report.json: the figures a reader compares, and the service's own record of each
   * run.
   */
  List<Map<String, Object>> report(Map<String, Integer> framesPerVersion) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (JsonNode r : runs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", r.path("id").asText());
      m.put("model", r.path("model").asText());
      m.put("status", status(r));
      m.put("reason", r.path("reason").isNull() ? null : r.path("reason").asText());
      m.put("durationSeconds", duration(r));
      m.put("steps", r.at("/progress/step").asLong());
      m.put("trainFrames", r.at("/data/trainFrames").asInt());
      m.put("heldoutFrames", r.at("/data/heldoutFrames").asInt());
      m.put("champion", score(r, "champion"));
      m.put("challenger", score(r, "challenger"));
      JsonNode e = r.path("evaluation");
      m.put("costImprovement", e.isMissingNode() ? null : e.path("improvement").asDouble());
      String challenger = r.path("challenger").asText(null);
      m.put(
          "framesEncodedByChallenger",
          challenger == null ? 0 : framesPerVersion.getOrDefault(challenger, 0));
      m.put("service", r);
      out.add(m);
    }
    return out;
  }

  private String status(JsonNode r) {
    return switch (r.path("state").asText()) {
      case "PROMOTED" -> "promoted";
      case "KEPT_CHAMPION" -> "rejected";
      case "SKIPPED" -> "skipped";
      case "FAILED" -> "failed";
      default ->
          timedOut ? "timed out (" + r.path("state").asText() + ")" : r.path("state").asText();
    };
  }

  private static Double duration(JsonNode r) {
    if (r.path("startedAt").isNull()
        || r.path("startedAt").isMissingNode()
        || r.path("finishedAt").isNull()
        || r.path("finishedAt").isMissingNode()) {
      return null;
    }
    return Duration.between(
                Instant.parse(r.path("startedAt").asText()),
                Instant.parse(r.path("finishedAt").asText()))
            .toMillis()
        / 1000.0;
  }

  private static ObjectNode score(JsonNode r, String which) {
    JsonNode s = r.path("evaluation").path(which);
    ObjectNode n = JSON.createObjectNode();
    n.put("version", r.path(which).asText(null));
    if (!s.isMissingNode()) {
      n.put("bpp", s.path("bpp").asDouble());
      n.put("psnr", s.path("psnr").asDouble());
      n.put("cost", s.path("cost").asDouble());
      n.put("frames", s.path("frames").asInt());
    }
    return n;
  }

  private String describe(JsonNode r) {
    String status = status(r);
    StringBuilder b = new StringBuilder(status);
    Double d = duration(r);
    if (d != null) {
      b.append(String.format(Locale.ROOT, " after %.0f s", d));
    }
    JsonNode e = r.path("evaluation");
    if (!e.isMissingNode()) {
      b.append(
          String.format(
              Locale.ROOT,
              " (held-out cost %+.1f%%: %.3f -> %.3f bpp, %.2f -> %.2f dB)",
              -100 * e.path("improvement").asDouble(),
              e.at("/champion/bpp").asDouble(),
              e.at("/challenger/bpp").asDouble(),
              e.at("/champion/psnr").asDouble(),
              e.at("/challenger/psnr").asDouble()));
    }
    if (!status.equals("promoted")
        && !r.path("reason").isNull()
        && !r.path("reason").isMissingNode()) {
      b.append(": ").append(r.path("reason").asText());
    }
    return b.toString();
  }
}
