package io.latentstream.trainer.data;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Prepares batches {@code start, start+1, ...} of a {@link CropSampler} on a background daemon
 * thread, a few ahead of the training loop. {@link #next()} is for one consumer thread; {@link
 * #close()} stops the producer.
 */
public final class BatchPrefetcher implements AutoCloseable {

  private final BlockingQueue<CropSampler.Batch> queue;
  private final Thread producer;
  private volatile RuntimeException failure;

  public BatchPrefetcher(CropSampler sampler, long start, int depth) {
    queue = new ArrayBlockingQueue<>(depth);
    producer =
        new Thread(
            () -> {
              try {
                for (long i = start; !Thread.currentThread().isInterrupted(); i++) {
                  queue.put(sampler.batch(i));
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                failure = e;
              }
            },
            "batch-prefetcher");
    producer.setDaemon(true);
    producer.start();
  }

  /** The next batch, waiting for it if needed. */
  public CropSampler.Batch next() throws InterruptedException {
    while (true) {
      CropSampler.Batch b = queue.poll(1, java.util.concurrent.TimeUnit.SECONDS);
      if (b != null) {
        return b;
      }
      if (failure != null) {
        throw new IllegalStateException("preparing batches failed", failure);
      }
    }
  }

  @Override
  public void close() {
    producer.interrupt();
  }
}
