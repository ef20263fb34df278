package io.latentstream.streams.config;

import io.latentstream.schemas.config.CommonSettings;
import io.latentstream.schemas.config.LayeredSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The streams app's typed configuration: defaults &lt; properties file &lt; environment variables.
 *
 * <p>Our own keys are listed in {@link #CONFIG_DEF}; {@code LATENTSTREAM_FOO_BAR} in the
 * environment sets {@code foo.bar}. Every key that is not ours and every {@code KAFKA_FOO_BAR}
 * variable ({@code foo.bar}) passes through unchanged to the Kafka clients, so security settings
 * ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}) need no code here. Values are
 * validated when the config is built: a bad value fails fast naming the key.
 *
 * <p>Immutable and thread-safe.
 */
public final class StreamsAppConfig extends AbstractConfig {

  public static final String BOOTSTRAP_SERVERS = CommonSettings.BOOTSTRAP_SERVERS;
  public static final String APPLICATION_ID = "application.id";
  public static final String SCHEMA_REGISTRY_URL = CommonSettings.SCHEMA_REGISTRY_URL;
  public static final String NUM_STREAM_THREADS = "num.stream.threads";

  public static final String TOPIC_RAW = "topic.raw";
  public static final String TOPIC_LATENT = "topic.latent";
  public static final String TOPIC_DLQ = "topic.dlq";
  public static final String TOPIC_SAMPLE = CommonSettings.TOPIC_SAMPLE;
  public static final String TOPIC_DECODE_REQUESTS = "topic.decode.requests";
  public static final String TOPIC_DECODED = "topic.decoded";
  public static final String TOPIC_KEYFRAME_REQUESTS = "topic.keyframe.requests";
  public static final String TOPIC_RELEASES = CommonSettings.TOPIC_RELEASES;
  public static final String TOPIC_ARTIFACTS = CommonSettings.TOPIC_ARTIFACTS;

  /** The keys of every topic name the app uses (to give a test or benchmark run its own topics). */
  public static final List<String> TOPIC_KEYS =
      List.of(
          TOPIC_RAW,
          TOPIC_LATENT,
          TOPIC_DLQ,
          TOPIC_SAMPLE,
          TOPIC_DECODE_REQUESTS,
          TOPIC_DECODED,
          TOPIC_RELEASES,
          TOPIC_ARTIFACTS,
          TOPIC_KEYFRAME_REQUESTS);

  public static final String TOPIC_PARTITIONS = "topic.partitions";
  public static final String TOPIC_REPLICATION_FACTOR = "topic.replication.factor";
  public static final String TOPIC_CREATE = "topic.create";

  public static final String FRAME_MAX_BYTES = "frame.max.bytes";
  public static final String FRAME_MAX_PIXELS = "frame.max.pixels";
  public static final String DLQ_MAX_ORIGINAL_BYTES = "dlq.max.original.bytes";

  public static final String SAMPLE_RATE = "sample.rate";
  public static final String SAMPLE_MAX_PER_MINUTE = "sample.max.per.camera.per.minute";
  public static final String PSNR_SAMPLE_RATE = "encode.psnr.sample.rate";
  public static final String GROUP_INSTANCE_ID = "group.instance.id";
  public static final String KEYFRAME_INTERVAL_FRAMES = "keyframe.interval.frames";
  public static final String KEYFRAME_INTERVAL_MS = "keyframe.interval.ms";
  public static final String DELTA_DEAD_ZONE = "delta.dead.zone";
  public static final String DELTA_SKIP_ZONE = "delta.skip.zone";

  public static final String MODEL_NAME = "model.name";
  public static final String MODEL_QUALITY = "model.quality";
  public static final String MODELS_DIR = "models.dir";
  public static final String MODEL_PUBLIC_KEY = "model.signature.public.key";
  public static final String MODEL_ALLOW_UNSIGNED = "model.allow.unsigned";
  public static final String MODEL_CACHE_SIZE = "model.cache.size";
  public static final String MODEL_ARTIFACT_MAX_BYTES = "model.artifact.max.bytes";

  public static final String LATENT_RETENTION_MS = "latent.store.retention.ms";

  public static final String HTTP_BIND_ADDRESS = CommonSettings.HTTP_BIND_ADDRESS;
  public static final String HTTP_PORT = CommonSettings.HTTP_PORT;
  public static final String HTTP_ADVERTISED_HOST = "http.advertised.host";
  public static final String HTTP_AUTH_TOKEN = CommonSettings.HTTP_AUTH_TOKEN;
  public static final String HTTP_TLS_KEYSTORE = "http.tls.keystore.location";
  public static final String HTTP_TLS_KEYSTORE_PASSWORD = "http.tls.keystore.password";
  public static final String HTTP_REQUEST_THREADS = "http.request.threads";
  public static final String HTTP_REQUEST_QUEUE = "http.request.queue.size";
  public static final String HTTP_REQUEST_PER_CLIENT = "http.request.per.client";

  /** Environment prefix of our keys. */
  public static final String ENV_PREFIX = LayeredSettings.ENV_PREFIX;

  /** Environment prefix of keys passed through to the Kafka clients. */
  public static final String KAFKA_ENV_PREFIX = LayeredSettings.KAFKA_ENV_PREFIX;

  public static final ConfigDef CONFIG_DEF =
      CommonSettings.defineShared(new ConfigDef(), Importance.LOW)
          .define(
              APPLICATION_ID,
              Type.STRING,
              "latentstream-encoder",
              Importance.HIGH,
              "Kafka Streams application id: instances with the same id share the partitions of the raw topic.")
          .define(
              NUM_STREAM_THREADS,
              Type.INT,
              1,
              Range.between(1, 64),
              Importance.MEDIUM,
              "Stream threads per instance; more than the cores adds no throughput (one predictor per thread).")
          .define(
              TOPIC_RAW,
              Type.STRING,
              "images.raw",
              Importance.MEDIUM,
              "Input topic of RawFrame records.")
          .define(
              TOPIC_LATENT,
              Type.STRING,
              "images.latent",
              Importance.MEDIUM,
              "Output topic of LatentFrame records.")
          .define(
              TOPIC_DLQ,
              Type.STRING,
              "images.dlq",
              Importance.MEDIUM,
              "Dead-letter topic of DeadLetter records.")
          .define(
              TOPIC_SAMPLE,
              Type.STRING,
              CommonSettings.DEFAULT_TOPIC_SAMPLE,
              Importance.MEDIUM,
              "Topic of raw frames sampled for retraining.")
          .define(
              TOPIC_DECODE_REQUESTS,
              Type.STRING,
              "images.decode.requests",
              Importance.LOW,
              "Topic of DecodeRequest records.")
          .define(
              TOPIC_DECODED,
              Type.STRING,
              "images.decoded",
              Importance.LOW,
              "Topic of DecodedFrame records.")
          .define(
              TOPIC_KEYFRAME_REQUESTS,
              Type.STRING,
              "images.keyframe.requests",
              Importance.LOW,
              "Key-frame requests: a record keyed by camera id makes that camera's next frame a KEY frame (created with"
                  + " as many partitions as the raw topic, which it must match).")
          .define(
              TOPIC_PARTITIONS,
              Type.INT,
              6,
              Range.atLeast(1),
              Importance.MEDIUM,
              "Partitions of the image topics when this app creates them; bounds the parallelism.")
          .define(
              TOPIC_REPLICATION_FACTOR,
              Type.SHORT,
              (short) 1,
              Range.atLeast(1),
              Importance.MEDIUM,
              "Replication factor of the topics this app creates.")
          .define(
              TOPIC_CREATE,
              Type.BOOLEAN,
              true,
              Importance.LOW,
              "Create missing topics at start; existing topics are verified either way.")
          .define(
              FRAME_MAX_BYTES,
              Type.INT,
              8 * 1024 * 1024,
              Range.between(1024, 256 * 1024 * 1024),
              Importance.MEDIUM,
              "Largest raw frame record accepted, in bytes; sets the producer's max.request.size and the topics'"
                  + " max.message.bytes together. Also the most pixel bytes an answer on the decoded topic carries:"
                  + " larger pictures are answered FAILED (fetch them over REST).")
          .define(
              FRAME_MAX_PIXELS,
              Type.LONG,
              4096L * 4096L,
              Range.atLeast(1),
              Importance.MEDIUM,
              "Largest width*height accepted; larger frames go to the DLQ before their pixels are decoded.")
          .define(
              DLQ_MAX_ORIGINAL_BYTES,
              Type.INT,
              8 * 1024 * 1024,
              Range.atLeast(0),
              Importance.LOW,
              "Dead letters keep the original record bytes up to this size.")
          .define(
              SAMPLE_RATE,
              Type.DOUBLE,
              0.02,
              Range.between(0.0, 1.0),
              Importance.MEDIUM,
              "Fraction of raw frames copied to the sample topic (deterministic per camera and sequence).")
          .define(
              SAMPLE_MAX_PER_MINUTE,
              Type.INT,
              30,
              Range.atLeast(0),
              Importance.LOW,
              "Cap on sampled frames per camera per minute of processing time (not capture time: a camera clock cannot stop or flood sampling).")
          .define(
              PSNR_SAMPLE_RATE,
              Type.DOUBLE,
              0.01,
              Range.between(0.0, 1.0),
              Importance.LOW,
              "Fraction of encoded frames (deterministic per camera and sequence) also decoded to measure PSNR;"
                  + " each costs one decode.")
          .define(
              GROUP_INSTANCE_ID,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Static group membership id of this instance (unique per instance, stable across restarts);"
                  + " default: <host name>-<random>, made once and kept in the application's state directory"
                  + " (state.dir), which Kafka Streams gives one instance only.")
          .define(
              KEYFRAME_INTERVAL_FRAMES,
              Type.INT,
              250,
              Range.atLeast(1),
              Importance.MEDIUM,
              "A KEY frame at least every this many frames of a camera (1 = every frame a KEY frame, no temporal"
                  + " coding). Between them DELTA frames code only what changed.")
          .define(
              KEYFRAME_INTERVAL_MS,
              Type.LONG,
              10_000L,
              Range.atLeast(0),
              Importance.MEDIUM,
              "A KEY frame when this much capture time has passed since a camera's last one (0 = no time limit).")
          .define(
              DELTA_DEAD_ZONE,
              Type.DOUBLE,
              0.25,
              Range.between(0.0, 4.0),
              Importance.LOW,
              "DELTA frames keep a latent value unless it moved at least 0.5 + this from its reference (0 = DELTA"
                  + " frames reconstruct exactly like KEY frames).")
          .define(
              DELTA_SKIP_ZONE,
              Type.DOUBLE,
              0.5,
              Range.between(0.0, 4.0),
              Importance.LOW,
              "DELTA frames skip a whole latent position (16x16 pixels) when no channel moved 0.5 + this; at least"
                  + " delta.dead.zone.")
          .define(
              MODEL_NAME,
              Type.STRING,
              "default",
              Importance.HIGH,
              "Model family to encode with (packages <name>-q<N> in the models directory or from models.releases).")
          .define(
              MODEL_QUALITY,
              Type.INT,
              3,
              Range.between(1, 16),
              Importance.HIGH,
              "Quality level of the model family.")
          .define(
              MODELS_DIR,
              Type.STRING,
              "models",
              Importance.MEDIUM,
              "Directory of bundled model packages and of packages fetched from Kafka.")
          .define(
              MODEL_PUBLIC_KEY,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Ed25519 public key (X.509, base64) that model packages from Kafka must be signed with.")
          .define(
              MODEL_ALLOW_UNSIGNED,
              Type.BOOLEAN,
              false,
              Importance.MEDIUM,
              "Load unsigned packages from Kafka (local demo only: a SavedModel can read files).")
          .define(
              MODEL_CACHE_SIZE,
              Type.INT,
              4,
              Range.atLeast(1),
              Importance.LOW,
              "Older model versions kept loaded for decoding their frames (least recently used is closed first).")
          .define(
              MODEL_ARTIFACT_MAX_BYTES,
              Type.LONG,
              1024L * 1024 * 1024,
              Range.between(1024, Integer.MAX_VALUE - 64),
              Importance.LOW,
              "Largest model package archive fetched from Kafka, packed and unpacked.")
          .define(
              LATENT_RETENTION_MS,
              Type.LONG,
              24L * 3600 * 1000,
              Range.atLeast(60_000),
              Importance.MEDIUM,
              "How long latent frames stay queryable for on-demand decoding.")
          .define(
              HTTP_BIND_ADDRESS,
              Type.STRING,
              CommonSettings.DEFAULT_HTTP_BIND_ADDRESS,
              Importance.MEDIUM,
              "Address the HTTP endpoints bind to (decoded frames are camera images: loopback by default; any other"
                  + " address needs http.auth.token, or the app refuses to start).")
          .define(
              HTTP_PORT,
              Type.INT,
              8080,
              Range.between(0, 65535),
              Importance.MEDIUM,
              "HTTP port (0 picks a free one).")
          .define(
              HTTP_ADVERTISED_HOST,
              Type.STRING,
              "",
              Importance.LOW,
              "Host other instances use to reach this one for interactive queries (default: the bind address).")
          .define(
              HTTP_AUTH_TOKEN,
              Type.PASSWORD,
              null,
              Importance.MEDIUM,
              "Bearer token required on every HTTP request except health and readiness; none when empty (allowed only"
                  + " with a loopback http.bind.address).")
          .define(
              HTTP_TLS_KEYSTORE,
              Type.STRING,
              "",
              Importance.LOW,
              "PKCS12 keystore enabling HTTPS when set.")
          .define(
              HTTP_TLS_KEYSTORE_PASSWORD,
              Type.PASSWORD,
              null,
              Importance.LOW,
              "Password of the HTTPS keystore.")
          .define(
              HTTP_REQUEST_THREADS,
              Type.INT,
              0,
              Range.between(0, 256),
              Importance.LOW,
              "Workers for HTTP requests other than health, readiness and metrics (frame decodes, forwards, APIs);"
                  + " 0 = num.stream.threads + 1, at least 2. Probes have threads of their own.")
          .define(
              HTTP_REQUEST_QUEUE,
              Type.INT,
              16,
              Range.between(0, 10_000),
              Importance.LOW,
              "HTTP requests that may wait for a worker; more are answered 503 with Retry-After at once.")
          .define(
              HTTP_REQUEST_PER_CLIENT,
              Type.INT,
              4,
              Range.between(0, 10_000),
              Importance.LOW,
              "HTTP requests other than health, readiness and metrics that one client (remote address) may have in"
                  + " progress or waiting at once; more are answered 429 with Retry-After at once, so one greedy"
                  + " client cannot take every worker and the queue (0 = no per-client limit). Behind a reverse proxy"
                  + " every client has the proxy's address, and another instance forwarding frame requests here is one"
                  + " client (its callers get the 429 passed on).");

  private final Map<String, String> kafkaOverrides;

  private StreamsAppConfig(LayeredSettings settings) {
    super(CONFIG_DEF, settings.ours(), false);
    this.kafkaOverrides = settings.kafka();
  }

  /**
   * Builds the config from defaults, an optional properties file and the given environment ({@link
   * LayeredSettings}).
   *
   * @throws ConfigException naming the key and the problem when a value is invalid or the file
   *     unreadable
   */
  public static StreamsAppConfig load(Path file, Map<String, String> env) {
    return new StreamsAppConfig(LayeredSettings.load(CONFIG_DEF, file, env));
  }

  /** Config from a plain map (tests, embedding); unknown keys pass through to Kafka. */
  public static StreamsAppConfig of(Map<String, ?> values) {
    return new StreamsAppConfig(LayeredSettings.of(CONFIG_DEF, values));
  }

  /** Settings not defined here, passed unchanged to every Kafka client (security, tuning). */
  public Map<String, String> kafkaOverrides() {
    return kafkaOverrides;
  }

  /** Markdown table of every key, its default and doc: the README's configuration table. */
  public static String markdownTable() {
    return CommonSettings.markdownTable(CONFIG_DEF);
  }
}
