package io.latentstream.streams.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A task's metric updates, held until the task commits: a state store (in memory, no changelog)
 * whose updates are applied when Kafka Streams commits the task's work and dropped when the work is
 * thrown away. A processor {@linkplain #record records} its metric updates here instead of applying
 * them, so a frame processed in a transaction that is aborted (the task failed, moved or was
 * fenced) is not counted, and when it is processed again it is counted once.
 *
 * <p>Under exactly-once Kafka Streams commits a running task's stores only when the task is closed
 * or suspended; what it does at every commit is flush the stores' caches, just before the
 * transaction is committed. So this store declares itself a cached store (Kafka Streams' {@link
 * CachedStateStore}, an internal interface: the project pins its Kafka version, and the pipeline
 * ITs that check exact counts fail at once should an upgrade stop calling it) and applies its
 * updates when its "cache" is flushed, as well as on {@link #commit}/{@link #flush}. Should the
 * transaction commit itself fail after that flush (rare: the broker or the group membership lost at
 * that moment), that batch is counted again when it is processed again.
 *
 * <p>One per stream task, used by its stream thread only; not thread-safe.
 */
public final class CommitBoundMetrics implements StateStore, CachedStateStore<Object, Object> {

  private final String name;
  private final List<Runnable> pending = new ArrayList<>();
  private volatile boolean open;

  CommitBoundMetrics(String name) {
    this.name = name;
  }

  /**
   * A builder for {@code StreamsBuilder#addStateStore}: one store per task, never logged or cached.
   */
  public static StoreBuilder<CommitBoundMetrics> builder(String name) {
    return new StoreBuilder<>() {
      @Override
      public StoreBuilder<CommitBoundMetrics> withCachingEnabled() {
        return this;
      }

      @Override
      public StoreBuilder<CommitBoundMetrics> withCachingDisabled() {
        return this;
      }

      @Override
      public StoreBuilder<CommitBoundMetrics> withLoggingEnabled(Map<String, String> config) {
        return this; // nothing to restore: updates not committed are dropped on purpose
      }

      @Override
      public StoreBuilder<CommitBoundMetrics> withLoggingDisabled() {
        return this;
      }

      @Override
      public CommitBoundMetrics build() {
        return new CommitBoundMetrics(name);
      }

      @Override
      public Map<String, String> logConfig() {
        return Map.of();
      }

      @Override
      public boolean loggingEnabled() {
        return false;
      }

      @Override
      public String name() {
        return name;
      }
    };
  }

  /** Holds a metric update until the task's work is committed. */
  public void record(Runnable update) {
    pending.add(update);
  }

  /**
   * Drops the updates held since the last commit: the task failed and its work will be done again.
   */
  public void discard() {
    pending.clear();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    pending.clear();
    context.register(root, (key, value) -> {});
    open = true;
  }

  @Override
  public void flush() {
    for (Runnable update : pending) {
      update.run();
    }
    pending.clear();
  }

  @Override
  public void commit(Map<TopicPartition, Long> changelogOffsets) {
    flush();
  }

  /** Called by Kafka Streams at every commit of the task, before its transaction commits. */
  @Override
  public void flushCache() {
    flush();
  }

  /** Called by Kafka Streams when the task's uncommitted work is dropped. */
  @Override
  public void clearCache() {
    discard();
  }

  @Override
  public boolean setFlushListener(
      CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
    return false; // nothing is forwarded from here
  }

  @Override
  public void close() {
    pending.clear(); // closed without a flush: the work was not committed
    open = false;
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public boolean isOpen() {
    return open;
  }
}
