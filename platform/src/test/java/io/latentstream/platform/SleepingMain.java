package io.latentstream.platform;

/** A child that would run forever: only a stop, the shutdown hook or the watchdog ends it. */
public final class SleepingMain {
  private SleepingMain() {}

  public static void main(String[] args) throws InterruptedException {
    System.out.println("sleeping child up");
    Thread.sleep(Long.MAX_VALUE);
  }
}
