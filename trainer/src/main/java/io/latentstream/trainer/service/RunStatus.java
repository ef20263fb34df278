package io.latentstream.trainer.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The state and outcome of one retraining run, as {@code GET /runs} shows it. Updated by the run
 * thread, read by HTTP threads: every method is synchronized, and {@link #toJson} is a consistent
 * copy.
 */
public final class RunStatus {

  /** Where a run is, or how it ended. */
  public enum State {
    /** Waiting for the runs of the same trigger before it (one run at a time). */
    QUEUED,
    PREPARING,
    TRAINING,
    EVALUATING,
    PUBLISHING,
    /** The challenger was published as the new current release. */
    PROMOTED,
    /** The gate refused the challenger; the champion stays. */
    KEPT_CHAMPION,
    /** Not enough data in the reservoir: nothing was trained. */
    SKIPPED,
    /** Something broke (training, export, evaluation, Kafka): nothing was published. */
    FAILED;

    public boolean finished() {
      return ordinal() >= PROMOTED.ordinal();
    }
  }

  private final String id;
  private final String model;
  private final String trigger;
  private final Instant requestedAt;
  private Instant startedAt;
  private State state = State.QUEUED;
  private Instant finishedAt;
  private long step;
  private long steps;
  private String champion;
  private String challenger;
  private String reason;
  private int trainFrames;
  private int heldoutFrames;
  private int cameras;
  private CodecEvaluation.Result championScore;
  private CodecEvaluation.Result challengerScore;
  private PromotionGate.Decision decision;
  private double lambda;
  private Consumer<State> whenFinished = s -> {};

  public RunStatus(String id, String model, String trigger, Instant requestedAt) {
    this.id = id;
    this.model = model;
    this.trigger = trigger;
    this.requestedAt = requestedAt;
  }

  /** The package name this run retrains. */
  public String model() {
    return model;
  }

  public String id() {
    return id;
  }

  public synchronized State state() {
    return state;
  }

  /** The training step reached (0 before training starts). */
  public synchronized long step() {
    return step;
  }

  public synchronized String reason() {
    return reason;
  }

  public synchronized String challenger() {
    return challenger;
  }

  public synchronized PromotionGate.Decision decision() {
    return decision;
  }

  public synchronized Instant finishedAt() {
    return finishedAt;
  }

  /** When the run left the queue, or null while queued. */
  public synchronized Instant startedAt() {
    return startedAt;
  }

  synchronized void begin(Instant at) {
    startedAt = at;
    state = State.PREPARING;
  }

  synchronized void state(State s) {
    state = s;
  }

  synchronized void progress(long step, long steps) {
    this.step = step;
    this.steps = steps;
  }

  synchronized void data(int trainFrames, int heldoutFrames, int cameras) {
    this.trainFrames = trainFrames;
    this.heldoutFrames = heldoutFrames;
    this.cameras = cameras;
  }

  synchronized void champion(String version) {
    this.champion = version;
  }

  synchronized void challenger(String version) {
    this.challenger = version;
  }

  synchronized void scores(
      CodecEvaluation.Result champ,
      CodecEvaluation.Result chall,
      PromotionGate.Decision d,
      double gateLambda) {
    this.championScore = champ;
    this.challengerScore = chall;
    this.decision = d;
    this.lambda = gateLambda;
  }

  /**
   * What to do when the run ends (count its outcome), called by {@link #finish} before the final
   * state is visible: whoever sees {@link #state()} finished also sees what the callback did.
   */
  synchronized void whenFinished(Consumer<State> callback) {
    this.whenFinished = callback;
  }

  synchronized void finish(State s, String why, Instant at) {
    if (!s.finished()) {
      throw new IllegalArgumentException(s + " is not a final state");
    }
    this.reason = why;
    this.finishedAt = at;
    whenFinished.accept(s);
    this.state = s;
  }

  /** A JSON copy of the current state. */
  public synchronized ObjectNode toJson(ObjectMapper json) {
    ObjectNode n = json.createObjectNode();
    n.put("id", id);
    n.put("model", model);
    n.put("trigger", trigger);
    n.put("state", state.name());
    n.put("requestedAt", requestedAt.toString());
    n.put("startedAt", startedAt == null ? null : startedAt.toString());
    n.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
    ObjectNode p = n.putObject("progress");
    p.put("step", step);
    p.put("steps", steps);
    n.put("champion", champion);
    n.put("challenger", challenger);
    ObjectNode d = n.putObject("data");
    d.put("trainFrames", trainFrames);
    d.put("heldoutFrames", heldoutFrames);
    d.put("cameras", cameras);
    if (decision != null) {
      ObjectNode e = n.putObject("evaluation");
      e.put("lambda", lambda);
      e.put("championCost", decision.championCost());
      e.put("challengerCost", decision.challengerCost());
      e.put("improvement", decision.improvement());
      e.set("champion", score(json, championScore));
      e.set("challenger", score(json, challengerScore));
    }
    n.put("reason", reason);
    return n;
  }

  private ObjectNode score(ObjectMapper json, CodecEvaluation.Result r) {
    ObjectNode n = json.createObjectNode();
    n.put("version", r.version());
    put(n, r.overall());
    ObjectNode cams = n.putObject("cameras");
    for (Map.Entry<String, CodecEvaluation.Score> e : r.perCamera().entrySet()) {
      put(cams.putObject(e.getKey()), e.getValue());
    }
    return n;
  }

  private void put(ObjectNode n, CodecEvaluation.Score s) {
    n.put("frames", s.frames());
    n.put("bpp", s.bpp());
    n.put("psnr", s.psnr());
    n.put("mse", s.mse());
    n.put("cost", s.cost(lambda));
  }
}
