package io.latentstream.streams.bench;

import io.latentstream.schemas.files.FileTrees;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a benchmark started and must stop: the local platform's child JVMs, the streams app,
 * temporary directories. Closed last-in first-out by the benchmark when it ends, or by the JVM
 * shutdown hook on Ctrl-C / SIGTERM, whichever comes first; a failure to close one resource is
 * logged and the others are still closed.
 *
 * <p>Thread-safe. It owns every resource added to it (an added resource may also be closed earlier
 * by its creator: resources added here must tolerate a second close).
 */
final class BenchResources implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BenchResources.class);

  private final Deque<Named> open = new ArrayDeque<>();
  private final Thread hook = new Thread(this::close, "bench-pipeline-shutdown");
  private boolean hookInstalled;

  private record Named(String what, AutoCloseable resource) {}

  /** Closes everything here when the JVM is asked to stop before {@link #close()} ran. */
  synchronized BenchResources closeOnShutdown() {
    if (!hookInstalled) {
      Runtime.getRuntime().addShutdownHook(hook);
      hookInstalled = true;
    }
    return this;
  }

  /**
   * Whether the caller runs in the shutdown hook: the JVM is exiting and the child JVMs are being
   * stopped.
   */
  boolean inShutdownHook() {
    return Thread.currentThread() == hook;
  }

  synchronized <T extends AutoCloseable> T add(String what, T resource) {
    open.push(new Named(what, resource));
    return resource;
  }

  /** Deletes {@code dir} and everything under it on close. */
  synchronized Path addDirectory(Path dir) {
    add("directory " + dir, () -> FileTrees.deleteTree(dir));
    return dir;
  }

  /** Closes one resource now (and forgets it), e.g. at the end of one run. */
  void closeNow(AutoCloseable resource) {
    Named found = null;
    synchronized (this) {
      for (Named n : open) {
        if (n.resource() == resource) {
          found = n;
          break;
        }
      }
      if (found != null) {
        open.remove(found);
      }
    }
    if (found != null) {
      closeQuietly(found);
    }
  }

  @Override
  public void close() {
    while (true) {
      Named next;
      synchronized (this) {
        next = open.poll();
      }
      if (next == null) {
        break;
      }
      closeQuietly(next);
    }
    synchronized (this) {
      if (hookInstalled && Thread.currentThread() != hook) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // the JVM is already shutting down: the hook runs or ran, and finds nothing left to close
        }
        hookInstalled = false;
      }
    }
  }

  private static void closeQuietly(Named n) {
    try {
      n.resource().close();
    } catch (Exception e) {
      LOG.warn("closing {} failed: {}", n.what(), e.toString());
    }
  }
}
