package io.latentstream.streams.topology;

import io.latentstream.codec.DecodeLimits;
import io.latentstream.codec.model.ModelResolver;
import io.latentstream.codec.sequence.ReferenceState;
import io.latentstream.codec.sequence.SequenceDecoder;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows each camera's chain as its frames arrive at the decode store and hands out a {@link
 * ReferenceState} checkpoint every {@value #EVERY} frames of a chain, so that a request for any
 * retained DELTA frame walks at most {@code EVERY - 1} frames from a checkpoint (or from its key
 * frame) before the one synthesis transform. Following is entropy decoding only (integer latents,
 * no neural network apart from a KEY frame's hyperprior), about a millisecond a frame at 640x480.
 *
 * <p>Holds the state after the last frame of each camera it follows (one uncompressed state, about
 * 0.6 MB at 640x480 with a 128-channel model); the checkpoints go to the caller ({@code keep}),
 * which stores them with the chain. A frame that does not follow the held state (the first DELTA
 * after a restart or a move, or after a frame that failed) first catches up from the newest kept
 * checkpoint of its chain, or its key frame, reading the chain through {@link
 * LatentFrameDecoder.Chain}: at most {@code EVERY - 1} frames once checkpoints exist. Any failure
 * (model not loadable, corrupt frame, frame no longer retained) only stops following that chain
 * until the camera's next key frame: requests then walk from the nearest checkpoint there is. Never
 * throws.
 *
 * <p>One instance per task; not thread-safe (the stream thread calls it).
 */
final class ChainFollower {
  /** Frames between two checkpoints of a chain. */
  static final int EVERY = 64;

  private static final Logger LOG = LoggerFactory.getLogger(ChainFollower.class);

  private final ModelResolver resolver;
  private final DecodeLimits limits;
  private final Map<String, ReferenceState> last = new HashMap<>();

  /**
   * Chains (camera to key sequence) that could not be followed: not tried again until the next key
   * frame.
   */
  private final Map<String, Long> abandoned = new HashMap<>();

  ChainFollower(ModelResolver resolver, DecodeLimits limits) {
    this.resolver = resolver;
    this.limits = limits;
  }

  /** Forgets every camera (a task was (re)initialised: its cameras may have moved). */
  void forget() {
    last.clear();
    abandoned.clear();
  }

  /** Whether a frame at {@code sequence} of the chain from {@code keySequence} is a checkpoint. */
  static boolean isCheckpoint(long keySequence, long sequence) {
    return sequence > keySequence && (sequence - keySequence) % EVERY == 0;
  }

  /**
   * Applies a stored frame to its camera's state, passing each checkpoint reached to {@code keep}.
   *
   * @param chain the camera's retained frames (the frame itself included) and kept checkpoints
   */
  void follow(LatentFrame frame, LatentFrameDecoder.Chain chain, Consumer<ReferenceState> keep) {
    String camera = frame.getCameraId();
    ReferenceState state = last.remove(camera);
    Long key =
        frame.getFrameType() == FrameType.KEY ? (Long) frame.getSequence() : frame.getKeySequence();
    try {
      if (frame.getFrameType() == FrameType.KEY) {
        abandoned.remove(camera);
        SequenceDecoder decoder = new SequenceDecoder(resolver, limits);
        decoder.apply(bytes(frame));
        last.put(camera, decoder.state());
        return;
      }
      long target = frame.getSequence();
      if (key == null || target <= key || key.equals(abandoned.get(camera))) {
        return;
      }
      if (state == null || state.keySequence() != key || state.sequence() != target - 1) {
        state = catchUp(camera, key, target, chain, keep);
        if (state == null) {
          abandoned.put(camera, key); // every later frame of this chain would walk to the same gap
          return;
        }
      }
      SequenceDecoder decoder = SequenceDecoder.resume(resolver, state, limits);
      decoder.apply(bytes(frame));
      state = decoder.state();
      if (isCheckpoint(key, target)) {
        keep.accept(state);
      }
      last.put(camera, state);
    } catch (RuntimeException e) {
      if (key != null) {
        abandoned.put(camera, key);
      }
      LOG.debug(
          "not following camera {} from frame {} to its next key frame: {}",
          camera,
          frame.getSequence(),
          e.toString());
    }
  }

  /**
   * The state at {@code target - 1} of the chain from {@code key}, or null when a frame of it is
   * not retained.
   */
  private ReferenceState catchUp(
      String camera,
      long key,
      long target,
      LatentFrameDecoder.Chain chain,
      Consumer<ReferenceState> keep) {
    Optional<ReferenceState> checkpoint = chain.checkpoint(key, target - 1);
    SequenceDecoder decoder;
    long next;
    if (checkpoint.isPresent()
        && checkpoint.get().keySequence() == key
        && checkpoint.get().sequence() < target) {
      decoder = SequenceDecoder.resume(resolver, checkpoint.get(), limits);
      next = checkpoint.get().sequence() + 1;
    } else {
      Optional<LatentFrame> keyFrame = chain.frame(key);
      if (keyFrame.isEmpty()) {
        return null;
      }
      decoder = new SequenceDecoder(resolver, limits);
      decoder.apply(bytes(keyFrame.get()));
      next = key + 1;
    }
    for (long s = next; s < target; s++) {
      Optional<LatentFrame> link = chain.frame(s);
      if (link.isEmpty()) {
        LOG.debug(
            "camera {}: frame {} of the chain from key frame {} is not retained", camera, s, key);
        return null;
      }
      decoder.apply(bytes(link.get()));
      if (isCheckpoint(key, s)) {
        keep.accept(decoder.state());
      }
    }
    return decoder.state();
  }

  private static byte[] bytes(LatentFrame frame) {
    ByteBuffer buf = frame.getBitstream().duplicate();
    byte[] bits = new byte[buf.remaining()];
    buf.get(bits);
    return bits;
  }
}
