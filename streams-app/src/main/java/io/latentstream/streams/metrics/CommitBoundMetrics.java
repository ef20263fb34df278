package io.latentstream.streams.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * A task's metric updates, held until the task commits: a state store (in memory, no changelog) that Kafka Streams
 * flushes when it commits the task's work, and closes without a flush when the work is thrown away. A processor
 * {@linkplain #record records} its metric updates here instead of applying them, so a frame processed in a
 * transaction that is aborted (the task failed, moved or was fenced) is not counted, and when it is processed again
 * it is counted once.
 *
 * <p>The updates are applied when the task's stores are flushed, just before its transaction is committed: should
 * that commit itself fail (rare: the broker or the group membership is lost at that moment), that batch is counted
 * again when it is processed again.
 *
 * <p>One per stream task, used by its stream thread only; not thread-safe.
 */
public final class CommitBoundMetrics implements StateStore {

  private final String name;
  private final List<Runnable> pending = new ArrayList<>();
  private volatile boolean open;

  CommitBoundMetrics(String name) {
    this.name = name;
  }

  /** A builder for {@code StreamsBuilder#addStateStore}: one store per task, never logged or cached. */
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

  /** Drops the updates held since the last commit: the task failed and its work will be done again. */
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
    context.register(root, (key, value) -> { });
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
