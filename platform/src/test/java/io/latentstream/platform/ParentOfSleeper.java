package io.latentstream.platform;

import java.nio.file.Path;
import java.util.List;

/**
 * A parent JVM for {@link ChildJvmIT}: starts a {@link SleepingMain} child through {@link
 * ChildJvm}, prints its pid and waits to be killed. Args: data dir, then the child's classpath
 * entries.
 */
public final class ParentOfSleeper {
  private ParentOfSleeper() {}

  public static void main(String[] args) throws InterruptedException {
    ChildJvm child =
        ChildJvm.builder("sleeper", SleepingMain.class.getName())
            .setDataDir(Path.of(args[0]))
            .optClasspath(List.of(args).subList(1, args.length).stream().map(Path::of).toList())
            .optMaxHeap("64m")
            .start();
    System.out.println("child-pid=" + child.pid());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
