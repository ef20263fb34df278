package io.latentstream.streams.topology;

import io.latentstream.codec.CodecException;
import io.latentstream.codec.DecodeLimits;
import io.latentstream.codec.UnknownModelException;
import io.latentstream.codec.bitstream.LsfFormat;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.ModelPackageException;
import io.latentstream.codec.sequence.ReferenceState;
import io.latentstream.codec.sequence.SequenceDecoder;
import io.latentstream.schemas.DecodeStatus;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.PixelFormat;
import io.latentstream.streams.model.ActiveModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import javax.imageio.ImageIO;

/**
 * Decodes a stored {@link LatentFrame} with the model version named in its bitstream (the {@link
 * ActiveModels} resolves it, loading an older version if needed) and classifies failures as {@link
 * DecodeStatus}es, for the decode-request topology and the HTTP mirror alike.
 *
 * <p>A DELTA frame decodes from its chain: the key frame and every frame up to it, read from the
 * retained store through a {@link Chain}. Walking a chain is entropy decoding only (about a
 * millisecond a frame); the synthesis transform runs once. Random access starts from the closest
 * state there is: the decode store's checkpoints ({@link Chain#checkpoint}, kept every {@value
 * ChainFollower#EVERY} frames as the frames arrive, so no request walks more than {@code EVERY - 1}
 * frames), or one this decoder kept itself: the last state it reached for each camera (sequential
 * reads cost one step) and every {@value #CHECKPOINT_EVERY} frames along the chains it walked, up
 * to {@value #MAX_STATES} states in all (oldest dropped first); those cover chains the store could
 * not follow (a model that could not be loaded while the frames arrived). A frame whose key frame
 * or an intermediate frame is no longer retained is reported NOT_FOUND with the missing frame
 * named. A key frame larger than the {@link DecodeLimits} ({@code frame.max.pixels}) is FAILED from
 * its header, before anything is allocated for it.
 *
 * <p>Thread-safe: the states are immutable and their cache is synchronised.
 */
public final class LatentFrameDecoder {
  static final int CHECKPOINT_EVERY = 16;
  static final int MAX_STATES = 48;

  private final ActiveModels activeModels;
  private final DecodeLimits limits;
  private final Map<String, TreeMap<Long, ReferenceState>> states = new HashMap<>();

  /** The kept states in the order they were kept: the oldest goes first. */
  private final ArrayDeque<Kept> insertion = new ArrayDeque<>();

  private record Kept(String camera, long sequence) {}

  /** Told how long each decode took, in nanoseconds (the decode latency metric). */
  private final LongConsumer timing;

  public LatentFrameDecoder(ActiveModels activeModels, DecodeLimits limits) {
    this(activeModels, limits, nanos -> {});
  }

  public LatentFrameDecoder(ActiveModels activeModels, DecodeLimits limits, LongConsumer timing) {
    this.activeModels = activeModels;
    this.limits = limits;
    this.timing = timing;
  }

  /**
   * The retained frames of one camera, by sequence number, and the checkpoints kept along their
   * chains.
   */
  @FunctionalInterface
  public interface Chain {
    Optional<LatentFrame> frame(long sequence);

    /**
     * The kept state of the chain from key frame {@code keySequence} closest at or before {@code
     * target}, if any (the decode store's checkpoints, {@link ChainFollower}); none by default.
     */
    default Optional<ReferenceState> checkpoint(long keySequence, long target) {
      return Optional.empty();
    }
  }

  /** The outcome of decoding one frame. */
  public sealed interface Result permits Decoded, Failed {}

  /** The decoded image and the model version that encoded (and decoded) it. */
  public record Decoded(PixelImage image, String modelVersion) implements Result {
    /** The image as a PNG file. */
    public byte[] png() {
      return LatentFrameDecoder.png(image);
    }

    /** RGB24 or GRAY8, as the schemas name it. */
    public PixelFormat rawFormat() {
      return image.format() == io.latentstream.codec.image.PixelFormat.GRAY8
          ? PixelFormat.GRAY8
          : PixelFormat.RGB24;
    }
  }

  /**
   * Why a frame did not decode.
   *
   * @param status NOT_FOUND (a frame of its chain is no longer retained), MODEL_UNAVAILABLE (its
   *     version cannot be loaded) or FAILED (corrupt or unsupported frame)
   */
  public record Failed(DecodeStatus status, String error) implements Result {}

  /** Decodes a KEY frame (a DELTA without its chain is NOT_FOUND). */
  public Result decode(LatentFrame frame) {
    return decode(frame, seq -> Optional.empty());
  }

  /** Decodes a frame; a DELTA from its chain, read through {@code chain} (same camera). */
  public Result decode(LatentFrame frame, Chain chain) {
    long start = System.nanoTime();
    try {
      return decodeUntimed(frame, chain);
    } finally {
      timing.accept(System.nanoTime() - start);
    }
  }

  private Result decodeUntimed(LatentFrame frame, Chain chain) {
    byte[] bits = bytes(frame);
    String camera = frame.getCameraId();
    try {
      SequenceDecoder decoder;
      if (frame.getFrameType() == FrameType.KEY) {
        decoder = new SequenceDecoder(activeModels, limits);
        decoder.apply(bits);
      } else {
        LsfFormat.Parsed parsed = LsfFormat.parse(bits);
        if (parsed.type() != io.latentstream.codec.bitstream.FrameType.DELTA) {
          return new Failed(
              DecodeStatus.FAILED, "frame says DELTA but its bitstream is a KEY frame");
        }
        long key = parsed.delta().keySequence();
        long target = parsed.sequence();
        ReferenceState start = closest(camera, key, target);
        // the store's newest checkpoint can be no later than this: skip reading it when a kept
        // state is as close
        long stored = key + (target - key) / ChainFollower.EVERY * ChainFollower.EVERY;
        if (stored > key && (start == null || start.sequence() < stored)) {
          Optional<ReferenceState> checkpoint = chain.checkpoint(key, target);
          if (checkpoint.isPresent()
              && checkpoint.get().keySequence() == key
              && checkpoint.get().sequence() <= target
              && (start == null || checkpoint.get().sequence() > start.sequence())) {
            start = checkpoint.get();
          }
        }
        if (start != null && start.sequence() == target) {
          // the checkpoint is this frame's own state: only the synthesis transform is left
          return new Decoded(
              SequenceDecoder.resume(activeModels, start, limits).image(), start.modelVersion());
        }
        long next;
        if (start == null) {
          Optional<LatentFrame> keyFrame = chain.frame(key);
          if (keyFrame.isEmpty()) {
            return notRetained(
                frame,
                camera,
                "is a DELTA frame whose key frame " + key + " is no longer retained");
          }
          decoder = new SequenceDecoder(activeModels, limits);
          decoder.apply(bytes(keyFrame.get()));
          next = key + 1;
        } else {
          decoder = SequenceDecoder.resume(activeModels, start, limits);
          next = start.sequence() + 1;
        }
        for (long s = next; s < target; s++) {
          Optional<LatentFrame> link = chain.frame(s);
          if (link.isEmpty()) {
            return notRetained(
                frame,
                camera,
                "needs frame "
                    + s
                    + " of its chain (key frame "
                    + key
                    + "), which is no longer retained");
          }
          decoder.apply(bytes(link.get()));
          if ((s - key) % CHECKPOINT_EVERY == 0) {
            keep(camera, decoder.state());
          }
        }
        decoder.apply(bits);
      }
      keep(camera, decoder.state());
      return new Decoded(decoder.image(), decoder.state().modelVersion());
    } catch (UnknownModelException | ModelPackageException e) {
      return new Failed(
          DecodeStatus.MODEL_UNAVAILABLE,
          "model " + frame.getModelVersion() + " cannot be loaded: " + e.getMessage());
    } catch (CodecException | IllegalArgumentException e) {
      return new Failed(DecodeStatus.FAILED, "cannot decode frame: " + e.getMessage());
    }
  }

  private static byte[] bytes(LatentFrame frame) {
    ByteBuffer buf = frame.getBitstream().duplicate();
    byte[] bits = new byte[buf.remaining()];
    buf.get(bits);
    return bits;
  }

  /** The kept state of this chain closest before {@code target}, or null. */
  private synchronized ReferenceState closest(String camera, long key, long target) {
    TreeMap<Long, ReferenceState> kept = states.get(camera);
    if (kept == null) {
      return null;
    }
    for (Map.Entry<Long, ReferenceState> e = kept.lowerEntry(target);
        e != null;
        e = kept.lowerEntry(e.getKey())) {
      if (e.getValue().keySequence() == key) {
        return e.getValue();
      }
      if (e.getKey() < key) {
        return null;
      }
    }
    return null;
  }

  private synchronized void keep(String camera, ReferenceState state) {
    TreeMap<Long, ReferenceState> kept = states.computeIfAbsent(camera, c -> new TreeMap<>());
    if (kept.put(state.sequence(), state) == null) {
      insertion.addLast(new Kept(camera, state.sequence()));
    }
    while (insertion.size() > MAX_STATES) {
      Kept oldest = insertion.removeFirst();
      TreeMap<Long, ReferenceState> of = states.get(oldest.camera());
      if (of != null) {
        of.remove(oldest.sequence());
        if (of.isEmpty()) {
          states.remove(oldest.camera());
        }
      }
    }
  }

  /** PNG bytes of an image (8-bit gray or RGB). */
  public static byte[] png(PixelImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(image.pixels().length / 2 + 1024);
    try {
      if (!ImageIO.write(ImageFiles.toBufferedImage(image), "png", out)) {
        throw new IllegalStateException("no PNG writer in this JRE");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The answer for a frame whose chain lost a frame it needs to retention. */
  private static Failed notRetained(LatentFrame frame, String camera, String why) {
    return new Failed(
        DecodeStatus.NOT_FOUND,
        "frame " + frame.getSequence() + " of camera " + camera + " " + why);
  }
}
