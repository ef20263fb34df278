package io.latentstream.trainer.service;

import io.latentstream.schemas.config.CommonSettings;
import io.latentstream.schemas.config.LayeredSettings;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.serde.AvroSerdeConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The retraining service's typed configuration: defaults &lt; properties file &lt; environment
 * variables, as the streams app's ({@code LATENTSTREAM_FOO_BAR} sets {@code foo.bar}; keys that are
 * not ours and {@code KAFKA_*} variables pass through to the Kafka clients and the registry client,
 * so security settings need no code here). Values are validated when the config is built: a bad
 * value fails fast naming the key.
 *
 * <p>Immutable and thread-safe.
 */
public final class TrainerServiceConfig extends AbstractConfig {

  public static final String BOOTSTRAP_SERVERS = CommonSettings.BOOTSTRAP_SERVERS;
  public static final String SCHEMA_REGISTRY_URL = CommonSettings.SCHEMA_REGISTRY_URL;
  public static final String GROUP_ID = "group.id";
  public static final String TOPIC_SAMPLE = CommonSettings.TOPIC_SAMPLE;
  public static final String TOPIC_RELEASES = CommonSettings.TOPIC_RELEASES;
  public static final String TOPIC_ARTIFACTS = CommonSettings.TOPIC_ARTIFACTS;
  public static final String ARTIFACT_CHUNK_BYTES = "artifact.chunk.bytes";
  public static final String ARTIFACT_MAX_BYTES = "artifact.max.bytes";

  public static final String MODEL_NAMES = "model.names";
  public static final String MODELS_DIR = "models.dir";
  public static final String WORK_DIR = "work.dir";

  public static final String RESERVOIR_DIR = "reservoir.dir";
  public static final String RESERVOIR_MAX_FRAMES = "reservoir.max.frames.per.camera";
  public static final String RESERVOIR_MAX_AGE_MS = "reservoir.max.age.ms";
  public static final String RESERVOIR_HELDOUT_FRACTION = "reservoir.heldout.fraction";
  public static final String RESERVOIR_MAX_SIDE = "reservoir.max.side";

  public static final String RUN_MIN_TRAIN_FRAMES = "run.min.train.frames";
  public static final String RUN_MIN_HELDOUT_FRAMES = "run.min.heldout.frames";
  public static final String TRAIN_STEPS = "train.steps";
  public static final String TRAIN_LAMBDA = "train.lambda";
  public static final String TRAIN_LEARNING_RATE = "train.learning.rate";
  public static final String TRAIN_BATCH = "train.batch";
  public static final String TRAIN_CROP = "train.crop";
  public static final String TRAIN_SEED = "train.seed";

  public static final String GATE_LAMBDA = "gate.lambda";
  public static final String GATE_MIN_IMPROVEMENT = "gate.min.improvement";
  public static final String GATE_CAMERA_TOLERANCE = "gate.camera.tolerance";

  public static final String SCHEDULE_INTERVAL_MS = "schedule.interval.ms";
  public static final String SCHEDULE_CRON = "schedule.cron";

  public static final String SIGNING_PRIVATE_KEY_FILE = "signing.private.key.file";
  public static final String SIGNING_ALLOW_UNSIGNED = "signing.allow.unsigned";
  public static final String RELEASE_PUBLIC_KEY_FILE = "release.public.key.file";

  public static final String TOPIC_LATENT = "topic.latent";
  public static final String CLEANUP_INTERVAL_MS = "cleanup.interval.ms";
  public static final String CLEANUP_MARGIN_MS = "cleanup.margin.ms";

  public static final String HTTP_BIND_ADDRESS = CommonSettings.HTTP_BIND_ADDRESS;
  public static final String HTTP_PORT = CommonSettings.HTTP_PORT;
  public static final String HTTP_AUTH_TOKEN = CommonSettings.HTTP_AUTH_TOKEN;

  /** Environment prefix of our keys. */
  public static final String ENV_PREFIX = LayeredSettings.ENV_PREFIX;

  /** Environment prefix of keys passed through to the Kafka clients. */
  public static final String KAFKA_ENV_PREFIX = LayeredSettings.KAFKA_ENV_PREFIX;

  public static final ConfigDef CONFIG_DEF =
      CommonSettings.defineShared(new ConfigDef(), Importance.MEDIUM)
          .define(
              GROUP_ID,
              Type.STRING,
              "latentstream-trainer",
              Importance.MEDIUM,
              "Consumer group of the sample reader: its committed offsets and the reservoir directory survive restarts"
                  + " together.")
          .define(
              TOPIC_SAMPLE,
              Type.STRING,
              CommonSettings.DEFAULT_TOPIC_SAMPLE,
              Importance.MEDIUM,
              "Topic of sampled RawFrame records (written by the streams app).")
          .define(
              ARTIFACT_CHUNK_BYTES,
              Type.INT,
              512 * 1024,
              Range.between(1024, 64 * 1024 * 1024),
              Importance.LOW,
              "Bytes per package chunk; keep it under the artifacts topic's max.message.bytes.")
          .define(
              ARTIFACT_MAX_BYTES,
              Type.LONG,
              1024L * 1024 * 1024,
              Range.between(1024, Integer.MAX_VALUE - 64),
              Importance.LOW,
              "Largest package archive fetched from Kafka (champion, rollback).")
          .define(
              MODEL_NAMES,
              Type.LIST,
              "default-q3",
              ConfigDef.LambdaValidator.with(
                  (key, value) -> {
                    @SuppressWarnings("unchecked")
                    java.util.List<String> names = (java.util.List<String>) value;
                    if (names.isEmpty()
                        || names.stream().anyMatch(n -> !n.matches("[a-z0-9][a-z0-9-]*"))) {
                      throw new ConfigException(
                          key, value, "one or more package names [a-z0-9][a-z0-9-]* are needed");
                    }
                  },
                  () -> "package names"),
              Importance.HIGH,
              "Package names the service retrains and promotes (keys on models.releases), e.g. the quality levels"
                  + " default-q1,default-q2,default-q3: every trigger runs each of them in turn, each from its own"
                  + " champion.")
          .define(
              MODELS_DIR,
              Type.STRING,
              "models",
              Importance.MEDIUM,
              "Directory of bundled packages (the champion when models.releases has none) and of the packages this"
                  + " service fetched or promoted (kept for rollbacks).")
          .define(
              WORK_DIR,
              Type.STRING,
              ".latentstream/trainer",
              Importance.MEDIUM,
              "Directory of run directories (training checkpoints, challenger packages, run records).")
          .define(
              RESERVOIR_DIR,
              Type.STRING,
              ".latentstream/reservoir",
              Importance.MEDIUM,
              "Directory of the sampled-frame reservoir (PNG files per camera; survives restarts).")
          .define(
              RESERVOIR_MAX_FRAMES,
              Type.INT,
              500,
              Range.atLeast(2),
              Importance.MEDIUM,
              "Frames kept per camera; the oldest (by capture time) go first.")
          .define(
              RESERVOIR_MAX_AGE_MS,
              Type.LONG,
              7L * 24 * 3600 * 1000,
              Range.atLeast(1000),
              Importance.MEDIUM,
              "Frames captured longer ago than this are dropped.")
          .define(
              RESERVOIR_HELDOUT_FRACTION,
              Type.DOUBLE,
              0.2,
              Range.between(0.01, 0.99),
              Importance.MEDIUM,
              "Fraction of frames held out for evaluation (chosen by a hash of camera and sequence: deterministic,"
                  + " never trained on).")
          .define(
              RESERVOIR_MAX_SIDE,
              Type.INT,
              1024,
              Range.atLeast(16),
              Importance.LOW,
              "Frames whose longer side exceeds this are box-downscaled before they are stored.")
          .define(
              RUN_MIN_TRAIN_FRAMES,
              Type.INT,
              20,
              Range.atLeast(1),
              Importance.MEDIUM,
              "A run starts only with at least this many training frames in the reservoir.")
          .define(
              RUN_MIN_HELDOUT_FRAMES,
              Type.INT,
              5,
              Range.atLeast(1),
              Importance.MEDIUM,
              "A run starts only with at least this many held-out frames in the reservoir.")
          .define(
              TRAIN_STEPS,
              Type.LONG,
              5000L,
              Range.atLeast(1),
              Importance.HIGH,
              "Optimizer steps of a fine-tuning run (from the champion's weights, fresh optimizer).")
          .define(
              TRAIN_LAMBDA,
              Type.DOUBLE,
              0.0,
              Range.atLeast(0.0),
              Importance.MEDIUM,
              "Rate-distortion trade-off of training; 0 = the champion's own lambda (keeps its quality level).")
          .define(
              TRAIN_LEARNING_RATE,
              Type.DOUBLE,
              1e-4,
              Range.atLeast(0.0),
              Importance.MEDIUM,
              "Adam learning rate of fine-tuning.")
          .define(TRAIN_BATCH, Type.INT, 8, Range.atLeast(1), Importance.MEDIUM, "Crops per step.")
          .define(
              TRAIN_CROP,
              Type.STRING,
              "128x128",
              Importance.MEDIUM,
              "Crop size WxH (multiples of 16, at most the frames' size).")
          .define(
              TRAIN_SEED,
              Type.LONG,
              1L,
              Importance.LOW,
              "Seed of crops and noise (a run's index is added).")
          .define(
              GATE_LAMBDA,
              Type.DOUBLE,
              0.0,
              Range.atLeast(0.0),
              Importance.MEDIUM,
              "Lambda of the promotion cost bpp + lambda*MSE (8-bit MSE); 0 = the champion's lambda.")
          .define(
              GATE_MIN_IMPROVEMENT,
              Type.DOUBLE,
              0.02,
              Importance.HIGH,
              "The challenger's mean cost must be below the champion's by at least this fraction (0.02 = 2%).")
          .define(
              GATE_CAMERA_TOLERANCE,
              Type.DOUBLE,
              0.05,
              Range.atLeast(0.0),
              Importance.HIGH,
              "No camera's cost may rise by more than this fraction.")
          .define(
              SCHEDULE_INTERVAL_MS,
              Type.LONG,
              24L * 3600 * 1000,
              Range.atLeast(0),
              Importance.HIGH,
              "A run starts this often (0 = only on demand: POST /retrain); ignored when schedule.cron is set.")
          .define(
              SCHEDULE_CRON,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Cron expression (minute hour day-of-month month day-of-week, UTC; *, a-b, a,b, */n) of run starts,"
                  + " e.g. '30 2 * * *'; empty = use schedule.interval.ms.")
          .define(
              SIGNING_PRIVATE_KEY_FILE,
              Type.STRING,
              "",
              Importance.HIGH,
              "File holding the Ed25519 private key (PKCS#8, base64) that signs releases"
                  + " (./latentstream trainer keygen writes one).")
          .define(
              SIGNING_ALLOW_UNSIGNED,
              Type.BOOLEAN,
              false,
              Importance.MEDIUM,
              "Publish unsigned releases when no private key is configured (local demo only).")
          .define(
              RELEASE_PUBLIC_KEY_FILE,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Public key (X.509, base64) that the current release's signature is checked against before it is"
                  + " fine-tuned; default: the key pair's .pub next to the private key.")
          .define(
              TOPIC_LATENT,
              Type.STRING,
              "images.latent",
              Importance.MEDIUM,
              "Topic of the encoded frames; its retention.ms decides when a superseded model version may be deleted.")
          .define(
              CLEANUP_INTERVAL_MS,
              Type.LONG,
              3600L * 1000,
              Range.atLeast(0),
              Importance.MEDIUM,
              "How often (and at start) the versions that no retained frame needs are deleted from models.artifacts"
                  + " and models.releases (0 = never).")
          .define(
              CLEANUP_MARGIN_MS,
              Type.LONG,
              3600L * 1000,
              Range.atLeast(0),
              Importance.MEDIUM,
              "A superseded version is deleted once it was superseded longer ago than topic.latent's retention.ms"
                  + " plus this margin (frames encoded just before a swap carry timestamps up to the swap).")
          .define(
              HTTP_BIND_ADDRESS,
              Type.STRING,
              CommonSettings.DEFAULT_HTTP_BIND_ADDRESS,
              Importance.MEDIUM,
              "Address the HTTP endpoints bind to (loopback by default; any other address needs http.auth.token).")
          .define(
              HTTP_PORT,
              Type.INT,
              8090,
              Range.between(0, 65535),
              Importance.MEDIUM,
              "HTTP port (0 picks a free one).")
          .define(
              HTTP_AUTH_TOKEN,
              Type.PASSWORD,
              null,
              Importance.MEDIUM,
              "Bearer token required on every HTTP request except /health; none when empty (allowed only with a"
                  + " loopback http.bind.address).");

  private final Map<String, String> kafkaOverrides;

  private TrainerServiceConfig(LayeredSettings settings) {
    super(CONFIG_DEF, settings.ours(), false);
    this.kafkaOverrides = settings.kafka();
    crop(); // validates
    cron();
  }

  /**
   * Builds the config from defaults, an optional properties file and the given environment ({@link
   * LayeredSettings}).
   *
   * @throws ConfigException naming the key and the problem when a value is invalid or the file
   *     unreadable
   */
  public static TrainerServiceConfig load(Path file, Map<String, String> env) {
    return new TrainerServiceConfig(LayeredSettings.load(CONFIG_DEF, file, env));
  }

  /** Config from a plain map (tests, embedding); unknown keys pass through to Kafka. */
  public static TrainerServiceConfig of(Map<String, ?> values) {
    return new TrainerServiceConfig(LayeredSettings.of(CONFIG_DEF, values));
  }

  /** Settings not defined here, passed unchanged to every Kafka client and the registry client. */
  public Map<String, String> kafkaOverrides() {
    return kafkaOverrides;
  }

  /**
   * The configuration a Kafka client of this service starts from: the pass-through settings the
   * client knows ({@code known}, e.g. {@code ConsumerConfig.configNames()}: security, tuning) and
   * the bootstrap servers.
   */
  public Map<String, Object> kafkaClientConfig(Set<String> known) {
    Map<String, Object> c = new HashMap<>(kafkaOverrides);
    c.keySet().retainAll(known);
    c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, getString(BOOTSTRAP_SERVERS));
    return c;
  }

  /**
   * A client of the configured schema registry, with the pass-through settings (TLS, credentials)
   * applied.
   */
  public SchemaRegistryClient registryClient() {
    Map<String, Object> registry = new HashMap<>(kafkaOverrides);
    registry.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, getString(SCHEMA_REGISTRY_URL));
    return new SchemaRegistryClient(new AvroSerdeConfig(registry).registryConfig());
  }

  /** {@link #TRAIN_CROP} as {width, height}. */
  public int[] crop() {
    String text = getString(TRAIN_CROP).toLowerCase(Locale.ROOT).trim();
    String[] wh = text.split("x");
    try {
      if (wh.length == 2) {
        int w = Integer.parseInt(wh[0]);
        int h = Integer.parseInt(wh[1]);
        if (w > 0 && h > 0 && w % 16 == 0 && h % 16 == 0) {
          return new int[] {w, h};
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(TRAIN_CROP, text, "must be WxH with positive multiples of 16");
  }

  /** {@link #SCHEDULE_CRON} parsed, or null when not set. */
  public CronSchedule cron() {
    String text = getString(SCHEDULE_CRON);
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return CronSchedule.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(SCHEDULE_CRON, text, e.getMessage());
    }
  }

  /** The bearer token, or empty for none. */
  public String httpToken() {
    Password p = getPassword(HTTP_AUTH_TOKEN);
    return p == null ? "" : p.value();
  }

  /** Markdown table of every key, its default and doc (SERVICE.md's configuration table). */
  public static String markdownTable() {
    return CommonSettings.markdownTable(CONFIG_DEF);
  }
}
