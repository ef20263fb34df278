package io.latentstream.trainer.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A split in time of one fixed camera's frames: the training period is the first {@code
 * trainPeriod} frames (every {@code trainStride}-th of them is trained on), then {@code gap} frames
 * nobody uses, then the held-out period (the rest of the sequence), of which {@code heldoutCount}
 * evenly spaced frames are evaluated. Every held-out frame is later than every training frame.
 * Indices are 0-based positions in the time-ordered sequence. Immutable.
 *
 * @param frames the whole sequence, in time order
 * @param train indices of the training frames
 * @param heldout indices of the held-out frames
 */
public record FootageSplit(List<Path> frames, List<Integer> train, List<Integer> heldout) {
  private static final Pattern NUMBER = Pattern.compile("(\\d+)(?!.*\\d)");

  public FootageSplit {
    frames = List.copyOf(frames);
    train = List.copyOf(train);
    heldout = List.copyOf(heldout);
  }

  /**
   * The PNG frames of a folder in time order: by the last number in the file name (e.g. {@code
   * frame-0042.png}, as ffmpeg numbers them), then by name.
   */
  public static List<Path> listFrames(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException(
          "not a folder of frames: "
              + folder
              + " (trainer/scripts/fetch-fixed-camera.sh writes .latentstream/footage/vtest)");
    }
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(
              p ->
                  Files.isRegularFile(p)
                      && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
          .sorted(
              Comparator.comparingLong(FootageSplit::frameNumber)
                  .thenComparing(p -> p.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
  }

  private static long frameNumber(Path p) {
    Matcher m = NUMBER.matcher(p.getFileName().toString());
    return m.find() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
  }

  /**
   * Splits a time-ordered sequence.
   *
   * @throws IllegalArgumentException when the sequence is too short for the periods asked for
   */
  public static FootageSplit of(
      List<Path> frames, int trainPeriod, int trainStride, int gap, int heldoutCount) {
    if (trainPeriod < 1 || trainStride < 1 || gap < 0 || heldoutCount < 1) {
      throw new IllegalArgumentException(
          "need train period ≥ 1, stride ≥ 1, gap ≥ 0, held-out frames ≥ 1");
    }
    int heldoutStart = trainPeriod + gap;
    int available = frames.size() - heldoutStart;
    if (available < heldoutCount) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "%d frames: %d training + %d gap leave %d for" + " the held-out period, %d asked for",
              frames.size(),
              trainPeriod,
              gap,
              Math.max(available, 0),
              heldoutCount));
    }
    List<Integer> train = new ArrayList<>();
    for (int i = 0; i < trainPeriod; i += trainStride) {
      train.add(i);
    }
    List<Integer> heldout = new ArrayList<>();
    for (int k = 0; k < heldoutCount; k++) {
      // evenly over [heldoutStart, size): the first and (for k > 1) the last frame included
      int offset =
          heldoutCount == 1
              ? 0
              : (int) Math.round((double) k * (available - 1) / (heldoutCount - 1));
      heldout.add(heldoutStart + offset);
    }
    return new FootageSplit(frames, train, heldout);
  }

  /** The training frame files. */
  public List<Path> trainFiles() {
    return train.stream().map(frames::get).toList();
  }

  /** The held-out frame files. */
  public List<Path> heldoutFiles() {
    return heldout.stream().map(frames::get).toList();
  }
}
