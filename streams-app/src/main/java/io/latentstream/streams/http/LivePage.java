package io.latentstream.streams.http;

import io.latentstream.schemas.LatentFrame;
import io.latentstream.streams.config.StreamsAppConfig;
import io.latentstream.streams.metrics.PipelineMetrics;
import io.latentstream.streams.model.ActiveModels;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The live page of a streams instance: {@code /live/} (static page, see {@link LivePageHandler})
 * and {@code /api/live} (its data, see {@link LiveApiHandler}), fed by a {@link LiveFeed} into a
 * bounded {@link LiveStats}. The page shows each camera's latest frame through {@code /frames/},
 * decoded on demand.
 *
 * <p>{@link #install} mounts both paths and starts the feed; {@link #close} stops the feed (the
 * HTTP server is the caller's). Thread-safe.
 */
public final class LivePage implements AutoCloseable {
  /** Cameras kept; a new camera beyond this evicts the one silent for longest. */
  static final int MAX_CAMERAS = 64;

  /** bpp points per camera (the last frames). */
  static final int BPP_POINTS = 120;

  /** PSNR points per camera (the last measured frames). */
  static final int PSNR_POINTS = 60;

  private final LiveStats stats;
  private final LiveFeed feed;

  private LivePage(LiveStats stats, LiveFeed feed) {
    this.stats = stats;
    this.feed = feed;
  }

  /**
   * Mounts {@code /live/} (no token) and {@code /api/live} (token when configured) and starts the
   * feed.
   */
  public static LivePage install(
      HttpServerRunner http,
      StreamsAppConfig config,
      Deserializer<LatentFrame> latentFrames,
      ActiveModels models,
      PipelineMetrics metrics) {
    LiveStats stats = new LiveStats(MAX_CAMERAS, BPP_POINTS, PSNR_POINTS);
    LiveFeed feed = new LiveFeed(config, latentFrames, stats, BPP_POINTS);
    http.mountPublic(LivePageHandler.CONTEXT, new LivePageHandler());
    http.mount(LiveApiHandler.CONTEXT, new LiveApiHandler(stats, feed, models, metrics));
    feed.start();
    return new LivePage(stats, feed);
  }

  public LiveStats stats() {
    return stats;
  }

  @Override
  public void close() {
    feed.close();
  }
}
