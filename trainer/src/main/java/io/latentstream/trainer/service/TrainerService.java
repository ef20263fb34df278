package io.latentstream.trainer.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.RawFrame;
import io.latentstream.schemas.files.FileTrees;
import io.latentstream.schemas.registry.SchemaRegistryClient;
import io.latentstream.schemas.serde.AvroSerde;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retraining service: a {@link SampleReader} filling the {@link FrameReservoir} from the sample
 * topic, runs on a schedule and on demand ({@link #requestRun}: one run per configured model, e.g.
 * per quality level), one at a time on a single run thread, and the HTTP endpoints ({@link
 * TrainerHttpServer}). The last runs stay listed with their progress and outcome.
 *
 * <p>Thread-safe. {@link #start} creates and starts everything; {@link #close()} stops the
 * schedule, waits for a run in progress to finish (a training step cannot be interrupted safely),
 * then closes the reader and the server.
 */
public final class TrainerService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
  private static final int KEPT_RUNS = 20;
  private static final DateTimeFormatter RUN_STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final TrainerServiceConfig config;
  private final Clock clock;
  private final FrameReservoir reservoir;
  private final ReleaseHistory releases;
  private final ReleasePublisher publisher;
  private final SampleReader reader;
  private final ReleaseCleanup cleanup;
  private final ExecutorService runThread =
      Executors.newSingleThreadExecutor(r -> daemon(r, "retraining-run"));
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "retraining-schedule"));
  private final ScheduledExecutorService cleanupThread =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "release-cleanup"));

  /** The runs of the trigger being worked through, or null. */
  private final AtomicReference<List<RunStatus>> current = new AtomicReference<>();

  private final ArrayDeque<RunStatus> runs = new ArrayDeque<>(); // newest first, guarded by itself
  private final Map<RunStatus.State, AtomicLong> outcomes = new EnumMap<>(RunStatus.State.class);
  private final AtomicLong runCounter = new AtomicLong();
  private volatile double lastRunSeconds = Double.NaN;

  /** Records of the runs before this process started (their run.json), newest first. */
  private final List<JsonNode> earlierRuns;

  private TrainerHttpServer http;

  private TrainerService(TrainerServiceConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    for (RunStatus.State s : RunStatus.State.values()) {
      outcomes.put(s, new AtomicLong());
    }
    SchemaRegistryClient client = config.registryClient();
    AvroSerde<ModelRelease> releaseSerde = new AvroSerde<>(client, ModelRelease.class);
    this.reservoir = FrameReservoir.open(config, clock);
    this.releases =
        new ReleaseHistory(config, releaseSerde.deserializer(), ReleasePublisher.verifyKey(config));
    releases.removeLeftovers();
    this.publisher =
        new ReleasePublisher(
            config, releaseSerde.serializer(), ReleasePublisher.signingKey(config));
    this.cleanup = new ReleaseCleanup(config, releases, publisher, clock);
    this.reader =
        new SampleReader(config, new AvroSerde<>(client, RawFrame.class).deserializer(), reservoir);
    Path workDir = Path.of(config.getString(TrainerServiceConfig.WORK_DIR));
    pruneRunDirectories(workDir);
    this.earlierRuns = readEarlierRuns(workDir);
  }

  /**
   * At start no run is in progress: removes the scratch of runs a kill interrupted and the
   * directories of all but the last {@value #KEPT_RUNS} runs.
   */
  static void pruneRunDirectories(Path workDir) {
    if (!Files.isDirectory(workDir)) {
      return;
    }
    List<Path> dirs;
    try (Stream<Path> list = Files.list(workDir)) {
      dirs =
          list.filter(Files::isDirectory)
              .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
              .toList();
    } catch (IOException e) {
      LOG.warn("cannot list earlier runs in {}: {}", workDir, e.toString());
      return;
    }
    for (int i = 0; i < dirs.size(); i++) {
      if (i < KEPT_RUNS) {
        RetrainingRun.removeScratch(dirs.get(i));
      } else if (!FileTrees.deleteQuietly(dirs.get(i))) {
        LOG.warn("cannot remove the old run directory {}", dirs.get(i));
      }
    }
  }

  /**
   * The run.json of earlier runs in the work directory, newest first (run ids sort by start time).
   */
  private static List<JsonNode> readEarlierRuns(Path workDir) {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isDirectory(workDir)) {
      return out;
    }
    try (Stream<Path> dirs = Files.list(workDir)) {
      List<Path> records =
          dirs.map(d -> d.resolve("run.json"))
              .filter(Files::isRegularFile)
              .sorted(
                  Comparator.comparing((Path p) -> p.getParent().getFileName().toString())
                      .reversed())
              .limit(KEPT_RUNS)
              .toList();
      ObjectMapper json = new ObjectMapper();
      for (Path r : records) {
        try {
          out.add(json.readTree(r.toFile()));
        } catch (IOException e) {
          LOG.warn("skipping unreadable run record {}: {}", r, e.toString());
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list earlier runs in {}: {}", workDir, e.toString());
    }
    return out;
  }

  /**
   * Starts the sample reader, the schedule and the HTTP endpoints.
   *
   * @throws IOException when the HTTP address cannot be bound
   * @throws org.apache.kafka.common.config.ConfigException for a bad configuration (e.g. no signing
   *     key)
   */
  public static TrainerService start(TrainerServiceConfig config) throws IOException {
    TrainerService service = new TrainerService(config, Clock.systemUTC());
    try {
      service.reader.start();
      service.http = new TrainerHttpServer(config, service).start();
      long interval = config.getLong(TrainerServiceConfig.SCHEDULE_INTERVAL_MS);
      CronSchedule cron = config.cron();
      String schedule;
      if (cron != null) {
        service.scheduleNext(cron);
        schedule = "cron '" + cron + "' (UTC)";
      } else if (interval > 0) {
        service.scheduler.scheduleAtFixedRate(
            () -> service.requestRun("schedule"), interval, interval, TimeUnit.MILLISECONDS);
        schedule = "every " + interval + " ms";
      } else {
        schedule = "on demand only";
      }
      long cleanupInterval = config.getLong(TrainerServiceConfig.CLEANUP_INTERVAL_MS);
      if (cleanupInterval > 0) {
        // its own thread: a broker that does not answer delays neither runs nor their schedule
        service.cleanupThread.scheduleWithFixedDelay(
            service.cleanup::runQuietly, 0, cleanupInterval, TimeUnit.MILLISECONDS);
      }
      LOG.info(
          "trainer service for {}: reservoir {} ({} frames), schedule {}, HTTP {}",
          config.getList(TrainerServiceConfig.MODEL_NAMES),
          service.reservoir.directory(),
          service.reservoir.size(),
          schedule,
          service.http.baseUri());
      return service;
    } catch (IOException | RuntimeException e) {
      service.close();
      throw e;
    }
  }

  /**
   * Deletes the model versions that no retained frame needs (scheduled every {@code
   * cleanup.interval.ms}).
   */
  public ReleaseCleanup cleanup() {
    return cleanup;
  }

  /**
   * Schedules the next cron run; each run schedules the one after (a missed one is skipped, not
   * caught up).
   */
  private void scheduleNext(CronSchedule cron) {
    long delay = Math.max(0, cron.next(clock.instant()).toEpochMilli() - clock.millis());
    scheduler.schedule(
        () -> {
          try {
            requestRun("schedule");
          } finally {
            scheduleNext(cron);
          }
        },
        delay,
        TimeUnit.MILLISECONDS);
  }

  /**
   * A service without reader, schedule or HTTP: one run per model on the reservoir as it is (CLI
   * {@code retrain}); returns when they are all finished.
   */
  public static List<RunStatus> runOnce(TrainerServiceConfig config) {
    try (TrainerService service = new TrainerService(config, Clock.systemUTC())) {
      List<RunStatus> runs = service.requestRun("cli").orElseThrow();
      service.runThread.shutdown(); // close() waits for the queued runs
      return runs;
    }
  }

  /**
   * Queues one run per configured model (in {@code model.names} order, one at a time) unless runs
   * are in progress.
   *
   * @return the new runs, or empty when earlier runs are still in progress or queued
   */
  public Optional<List<RunStatus>> requestRun(String trigger) {
    List<String> models = config.getList(TrainerServiceConfig.MODEL_NAMES);
    String stamp = RUN_STAMP.format(clock.instant());
    List<RunStatus> batch = new ArrayList<>();
    for (String model : models) {
      long n = runCounter.incrementAndGet();
      batch.add(
          new RunStatus(
              String.format(Locale.ROOT, "run-%s-%03d", stamp, n),
              model,
              trigger,
              clock.instant()));
    }
    if (!current.compareAndSet(null, List.copyOf(batch))) {
      LOG.info(
          "{} runs not started: {} is in progress",
          trigger,
          currentRun().map(RunStatus::id).orElse("a run"));
      return Optional.empty();
    }
    synchronized (runs) {
      batch.forEach(runs::addFirst);
      while (runs.size() > KEPT_RUNS) {
        runs.removeLast();
      }
    }
    for (int i = 0; i < batch.size(); i++) {
      RunStatus status = batch.get(i);
      boolean last = i == batch.size() - 1;
      Path dir = Path.of(config.getString(TrainerServiceConfig.WORK_DIR)).resolve(status.id());
      long seed = config.getLong(TrainerServiceConfig.TRAIN_SEED) + runCounter.get() + i;
      // Counted when the run's final state is set, so that a client that sees the run finished
      // (GET /runs) sees it in the metrics too, and can request the next run at once.
      status.whenFinished(
          outcome -> {
            outcomes.get(outcome).incrementAndGet();
            Instant began = status.startedAt();
            if (began != null) {
              lastRunSeconds = (clock.millis() - began.toEpochMilli()) / 1000.0;
            }
            if (last) {
              current.set(null);
            }
          });
      runThread.execute(
          () ->
              new RetrainingRun(
                      config, status.model(), reservoir, releases, publisher, dir, seed, clock)
                  .execute(status));
    }
    LOG.info(
        "{} run(s) queued ({}): {}",
        batch.size(),
        trigger,
        batch.stream().map(r -> r.id() + " " + r.model()).toList());
    return Optional.of(batch);
  }

  /** Records of runs from before this process started (as their {@code run.json}), newest first. */
  public List<JsonNode> earlierRuns() {
    return earlierRuns;
  }

  /** The run in progress (or next in the queue), if any. */
  public Optional<RunStatus> currentRun() {
    List<RunStatus> batch = current.get();
    return batch == null
        ? Optional.empty()
        : batch.stream().filter(r -> !r.state().finished()).findFirst();
  }

  /** The last runs, newest first. */
  public List<RunStatus> runs() {
    synchronized (runs) {
      return new ArrayList<>(runs);
    }
  }

  /** Finished runs by outcome since start. */
  public long outcomeCount(RunStatus.State state) {
    return outcomes.get(state).get();
  }

  double lastRunSeconds() {
    return lastRunSeconds;
  }

  public FrameReservoir reservoir() {
    return reservoir;
  }

  public SampleReader sampleReader() {
    return reader;
  }

  /** The HTTP endpoints (null for {@link #runOnce}). */
  public TrainerHttpServer http() {
    return http;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    cleanupThread.shutdownNow();
    runThread.shutdown();
    try {
      if (!runThread.awaitTermination(10, TimeUnit.MINUTES)) {
        LOG.warn("a run is still in progress after 10 minutes; closing anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reader.close();
    if (http != null) {
      http.close();
    }
  }
}
