package io.latentstream.codec.cli;

import io.latentstream.codec.sequence.DeltaOptions;
import picocli.CommandLine.Option;

/**
 * {@code --keyframe-interval}, {@code --dead-zone}, {@code --skip-zone}: for the commands that code
 * sequences.
 */
final class SequenceOptions {
  @Option(
      names = "--keyframe-interval",
      defaultValue = "250",
      description =
          "With --sequence: a key frame at least every N frames (default ${DEFAULT-VALUE}, x264's GOP).")
  int keyframeInterval;

  @Option(
      names = "--dead-zone",
      description = "With --sequence: DELTA dead zone (default: the codec's).")
  Double deadZone;

  @Option(
      names = "--skip-zone",
      description = "With --sequence: DELTA skip zone (default: the codec's).")
  Double skipZone;

  /**
   * The DELTA options given, the codec's defaults for the rest (the skip zone at least the dead
   * zone).
   */
  DeltaOptions deltaOptions() {
    DeltaOptions d = DeltaOptions.DEFAULT;
    double dz = deadZone != null ? deadZone : d.deadZone();
    return new DeltaOptions(dz, skipZone != null ? skipZone : Math.max(dz, d.skipZone()));
  }
}
