package io.latentstream.streams;

import io.latentstream.codec.DecodeLimits;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.serde.AvroDeserializer;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.errors.TransientFailureExceptionHandler;
import io.latentstream.streams.http.FrameQueryHandler;
import io.latentstream.streams.http.HttpServerRunner;
import io.latentstream.streams.http.KeyframeRequestHandler;
import io.latentstream.streams.http.LivePage;
import io.latentstream.streams.http.ModelsHandler;
import io.latentstream.streams.metrics.PipelineMetrics;
import io.latentstream.streams.model.ActiveModels;
import io.latentstream.streams.model.ReleaseWatcher;
import io.latentstream.streams.serde.RecordSerdes;
import io.latentstream.streams.topology.DecodeTopology;
import io.latentstream.streams.topology.EncodeTopology;
import io.latentstream.streams.topology.LatentFrameDecoder;
import io.latentstream.streams.topology.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running instance of the service: topics ensured, models loaded and watched, the Kafka Streams
 * client with the encode topology and the decode mirror, and the HTTP endpoints (with the mirror's
 * {@code /frames/}, {@code /models} and the live page {@code /live/}). {@link #start} builds and
 * starts everything in that order and fails fast with a clear message; {@link #close} stops it in
 * reverse order, leaving the consumer group so that another instance takes the partitions over at
 * once.
 *
 * <p>Thread-safe; {@link #close} is idempotent. The app owns and closes everything it creates.
 */
public final class StreamsApp implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);

  /** How long start waits for the release watcher to replay {@code models.releases}. */
  static final Duration RELEASES_CATCH_UP = Duration.ofSeconds(60);

  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  /** How long a frame query waits for a rebalance to settle before answering 503. */
  private static final Duration FRAME_QUERY_REBALANCE_WAIT = Duration.ofSeconds(10);

  /** File in the application's state directory that keeps the default {@code group.instance.id}. */
  static final String INSTANCE_ID_FILE = "latentstream-group-instance-id";

  private static final String INSTANCE_ID_PATTERN = "[A-Za-z0-9._-]{1,249}";
  private static final SecureRandom SECURE_RANDOM = new SecureRandom();

  private final StreamsAppConfig config;
  private final PipelineMetrics metrics = new PipelineMetrics();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private ActiveModels models;
  private ReleaseWatcher watcher;
  private HttpServerRunner http;
  private Producer<byte[], byte[]> keyframeRequests;
  private LivePage live;
  private KafkaStreams streams;
  private boolean closed;

  private StreamsApp(StreamsAppConfig config) {
    this.config = config;
  }

  /**
   * Builds and starts the service.
   *
   * @throws ConfigException for invalid settings (including topics that exist with other settings)
   * @throws IllegalStateException when no model can be loaded
   */
  public static StreamsApp start(StreamsAppConfig config) {
    StreamsApp app = new StreamsApp(config);
    try {
      app.startAll();
      return app;
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
  }

  private void startAll() {
    try (Admin admin = Admin.create(adminConfig(config))) {
      Topics.ensure(admin, Topics.specs(config), config.getBoolean(StreamsAppConfig.TOPIC_CREATE));
    }
    SchemaRegistryClient client = RecordSerdes.client(config);
    RecordSerdes serdes = new RecordSerdes(client);
    models = ActiveModels.open(config);
    watcher =
        new ReleaseWatcher(config, models, new AvroDeserializer<>(client, ModelRelease.class));
    watcher.start();
    awaitModel();
    metrics.bindModel(() -> models.currentVersionIfLoaded().orElse(null), models::swapCount);
    metrics.bindRejections(
        () -> {
          Map<String, Long> counts = new TreeMap<>();
          models.rejectionCounts().forEach((reason, n) -> counts.put(reason.name(), n));
          return counts;
        });
    try {
      http =
          new HttpServerRunner(
              HttpServerRunner.Settings.from(config), this::isReady, metrics, Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot bind the HTTP endpoints to "
              + config.getString(StreamsAppConfig.HTTP_BIND_ADDRESS)
              + ":"
              + config.getInt(StreamsAppConfig.HTTP_PORT),
          e);
    }
    // one decoder for decode requests and GET /frames: both read the decode store's checkpoints
    LatentFrameDecoder decoder =
        new LatentFrameDecoder(
            models,
            DecodeLimits.ofMaxPixels(config.getLong(StreamsAppConfig.FRAME_MAX_PIXELS)),
            metrics::decoded);
    Topology topology = topology(config, serdes, models, metrics, decoder);
    LOG.info("topology:\n{}", topology.describe());
    streams = new KafkaStreams(topology, streamsProperties(config, advertisedEndpoint()));
    streams.setUncaughtExceptionHandler(new TransientFailureExceptionHandler());
    metrics.bindRawLag(rawLag(streams, config.getString(StreamsAppConfig.TOPIC_RAW)));
    streams.setStateListener(
        (now, before) -> {
          LOG.info("streams state {} -> {}", before, now);
          if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
            stopped.countDown();
          }
        });
    HostInfo self = HostInfo.buildFromEndpoint(advertisedEndpoint());
    http.mount(
        FrameQueryHandler.CONTEXT,
        new FrameQueryHandler(
            streams,
            self,
            decoder,
            http.baseUri().getScheme().equals("https"),
            FRAME_QUERY_REBALANCE_WAIT));
    http.mount(ModelsHandler.CONTEXT, new ModelsHandler(models));
    keyframeRequests =
        new KafkaProducer<>(
            producerConfig(config), new ByteArraySerializer(), new ByteArraySerializer());
    http.mount(
        KeyframeRequestHandler.CONTEXT,
        new KeyframeRequestHandler(
            keyframeRequests, config.getString(StreamsAppConfig.TOPIC_KEYFRAME_REQUESTS)));
    live = LivePage.install(http, config, serdes.latentFrame().deserializer(), models, metrics);
    http.start();
    streams.start();
  }

  private void awaitModel() {
    try {
      if (!watcher.awaitCaughtUp(RELEASES_CATCH_UP)) {
        LOG.warn(
            "release watcher has not caught up on {} after {} s",
            config.getString(StreamsAppConfig.TOPIC_RELEASES),
            RELEASES_CATCH_UP.toSeconds());
      }
      if (!models.awaitModel(Duration.ofSeconds(1))) {
        throw new IllegalStateException(
            "no model "
                + models.modelName()
                + " to encode with: none in "
                + models.modelsDir().toAbsolutePath()
                + " ("
                + StreamsAppConfig.MODELS_DIR
                + ", "
                + StreamsAppConfig.MODEL_NAME
                + ", "
                + StreamsAppConfig.MODEL_QUALITY
                + ") and none released on "
                + config.getString(StreamsAppConfig.TOPIC_RELEASES));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a model", e);
    }
  }

  /** The service's topology: the encode path and the decode mirror. */
  static Topology topology(
      StreamsAppConfig config,
      RecordSerdes serdes,
      ActiveModels models,
      PipelineMetrics metrics,
      LatentFrameDecoder decoder) {
    StreamsBuilder builder = new StreamsBuilder();
    EncodeTopology.addTo(
        builder, EncodeTopology.Settings.from(config), serdes, models::codec, metrics);
    DecodeTopology.addTo(
        builder, DecodeTopology.Settings.from(config), serdes, models, metrics, decoder);
    return builder.build();
  }

  /**
   * Kafka Streams settings: the pass-through Kafka keys first, then ours, which win: exactly-once
   * v2, static membership, record size limits set together with the topics', and the endpoint for
   * interactive queries.
   */
  static Properties streamsProperties(StreamsAppConfig config, String applicationServer) {
    Properties p = new Properties();
    p.putAll(config.kafkaOverrides());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(StreamsAppConfig.APPLICATION_ID));
    p.put(
        StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
        config.getString(StreamsAppConfig.BOOTSTRAP_SERVERS));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(
        StreamsConfig.NUM_STREAM_THREADS_CONFIG,
        config.getInt(StreamsAppConfig.NUM_STREAM_THREADS));
    p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer);
    // Kafka Streams suffixes the id per stream thread; a restarted instance with the same id gets
    // its partitions
    // back without a rebalance, and one that leaves on close hands them over at once.
    p.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
        groupInstanceId(config));
    int maxBytes = Topics.maxMessageBytes(config);
    p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), maxBytes);
    p.put(
        StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG),
        Integer.toString(maxBytes));
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), maxBytes);
    p.putIfAbsent(
        StreamsConfig.REPLICATION_FACTOR_CONFIG,
        (int) config.getShort(StreamsAppConfig.TOPIC_REPLICATION_FACTOR));
    return p;
  }

  /**
   * {@code group.instance.id} from the config; by default {@code <host name>-<random>}, made once
   * and kept in {@value #INSTANCE_ID_FILE} in the application's state directory. Kafka Streams
   * locks that directory, so two instances on one host already need one each, and get an id each
   * instead of fencing each other with the host name; a restart on the same directory finds the
   * same id and gets its partitions back without a rebalance.
   *
   * @throws ConfigException when the id can be neither read nor kept
   */
  static String groupInstanceId(StreamsAppConfig config) {
    String configured = config.getString(StreamsAppConfig.GROUP_INSTANCE_ID);
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    String stateDir =
        config
            .kafkaOverrides()
            .getOrDefault(
                StreamsConfig.STATE_DIR_CONFIG,
                (String)
                    StreamsConfig.configDef().defaultValues().get(StreamsConfig.STATE_DIR_CONFIG));
    Path dir = Path.of(stateDir, config.getString(StreamsAppConfig.APPLICATION_ID));
    Path file = dir.resolve(INSTANCE_ID_FILE);
    try {
      if (Files.isRegularFile(file)) {
        String kept = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (kept.matches(INSTANCE_ID_PATTERN)) {
          return kept;
        }
        LOG.warn("ignoring the malformed group.instance.id in {}", file);
      }
      byte[] random = new byte[4];
      SECURE_RANDOM.nextBytes(random);
      String id = hostName() + "-" + HexFormat.of().formatHex(random);
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, INSTANCE_ID_FILE, ".tmp");
      Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      LOG.info("group.instance.id {} (kept in {})", id, file);
      return id;
    } catch (IOException e) {
      throw new ConfigException(
          StreamsAppConfig.GROUP_INSTANCE_ID,
          "",
          "cannot keep a default id in " + file + "; set it explicitly: " + e);
    }
  }

  /** The host name as group ids allow it: letters, digits, '.', '_' and '-'. */
  private static String hostName() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "instance";
      }
    }
    String clean = host.replaceAll("[^A-Za-z0-9._-]", "-");
    return clean.length() > 200 ? clean.substring(0, 200) : clean;
  }

  /**
   * A small producer's settings (key-frame requests): the pass-through producer keys, our bootstrap
   * servers.
   */
  static Map<String, Object> producerConfig(StreamsAppConfig config) {
    Map<String, Object> producer = clientConfig(config, ProducerConfig.configNames());
    producer.put(ProducerConfig.ACKS_CONFIG, "all");
    producer.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return producer;
  }

  static Map<String, Object> adminConfig(StreamsAppConfig config) {
    return clientConfig(config, AdminClientConfig.configNames());
  }

  /**
   * The pass-through keys a Kafka client of this kind knows ({@code names}), and our bootstrap
   * servers.
   */
  private static Map<String, Object> clientConfig(
      StreamsAppConfig config, java.util.Set<String> names) {
    Map<String, Object> client = new HashMap<>();
    config
        .kafkaOverrides()
        .forEach(
            (k, v) -> {
              if (names.contains(k)) {
                client.put(k, v);
              }
            });
    client.put(
        CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        config.getString(StreamsAppConfig.BOOTSTRAP_SERVERS));
    return client;
  }

  /** host:port other instances reach this one's HTTP endpoints at (interactive queries). */
  private String advertisedEndpoint() {
    String host = config.getString(StreamsAppConfig.HTTP_ADVERTISED_HOST);
    if (host == null || host.isBlank()) {
      host = config.getString(StreamsAppConfig.HTTP_BIND_ADDRESS);
    }
    return host + ":" + http.port();
  }

  /**
   * Consumer lag on the raw topic per partition this instance's main consumers read: their {@code
   * records-lag} metric (known once a partition has been fetched; the restore consumers are left
   * out).
   */
  static Supplier<Map<String, Double>> rawLag(KafkaStreams streams, String rawTopic) {
    return () -> {
      Map<String, Double> lag = new TreeMap<>();
      try {
        streams
            .metrics()
            .forEach(
                (name, metric) -> {
                  Map<String, String> tags = name.tags();
                  if (name.name().equals("records-lag")
                      && name.group().equals("consumer-fetch-manager-metrics")
                      && rawTopic.equals(tags.get("topic"))
                      && tags.containsKey("partition")
                      && !tags.getOrDefault("client-id", "").endsWith("-restore-consumer")
                      && metric.metricValue() instanceof Double value
                      && !value.isNaN()) {
                    lag.merge(tags.get("partition"), value, Math::max);
                  }
                });
      } catch (RuntimeException e) {
        LOG.debug("consumer lag not available: {}", e.toString());
      }
      return lag;
    };
  }

  /**
   * Ready for traffic: the streams client runs, a model is loaded and the release watcher is
   * healthy.
   */
  public boolean isReady() {
    KafkaStreams s = streams;
    return s != null
        && s.state() == KafkaStreams.State.RUNNING
        && models != null
        && models.hasModel()
        && watcher != null
        && watcher.isHealthy();
  }

  /**
   * Waits until {@link #isReady()}: for embedders (the demo, the benchmarks) that send traffic only
   * once the app takes it.
   *
   * @throws IllegalStateException when it is not ready within {@code timeout}, naming the state
   */
  public void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!isReady()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the streams app is not ready after "
                + timeout.toSeconds()
                + " s (state "
                + (streams == null ? "not started" : streams.state())
                + ")");
      }
      Thread.sleep(20); // a state poll: KafkaStreams has no blocking await
    }
  }

  public KafkaStreams streams() {
    return streams;
  }

  public ActiveModels models() {
    return models;
  }

  public PipelineMetrics metrics() {
    return metrics;
  }

  public HttpServerRunner http() {
    return http;
  }

  /**
   * Blocks until the streams client stops by itself (an unrecoverable error) or {@link #close} is
   * called.
   *
   * @return false if it stopped on an error
   */
  public boolean awaitStop() throws InterruptedException {
    stopped.await();
    KafkaStreams s = streams;
    return s == null || s.state() != KafkaStreams.State.ERROR;
  }

  /** Waits at most {@code timeout} for {@link #awaitStop()}; true when stopped. */
  public boolean awaitStop(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stops streams (leaving the group), the release watcher, HTTP and the models, in that order.
   * Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (streams != null) {
      boolean done =
          streams.close(
              CloseOptions.groupMembershipOperation(
                      CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                  .withTimeout(CLOSE_TIMEOUT));
      if (!done) {
        LOG.warn("streams did not close within {} s", CLOSE_TIMEOUT.toSeconds());
      }
    }
    if (watcher != null) {
      watcher.close();
    }
    if (live != null) {
      live.close();
    }
    if (http != null) {
      http.close();
    }
    if (keyframeRequests != null) {
      keyframeRequests.close(Duration.ofSeconds(5));
    }
    if (models != null) {
      models.close();
    }
    stopped.countDown();
    LOG.info("stopped");
  }
}
