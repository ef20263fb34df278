package io.latentstream.codec.sequence;

import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.bitstream.DeltaHeader;
import io.latentstream.codec.bitstream.FrameType;
import io.latentstream.codec.bitstream.LsfFormat;
import io.latentstream.codec.bitstream.LsfHeader;
import io.latentstream.codec.entropy.AdaptiveBits;
import io.latentstream.codec.entropy.EntropyModel;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.Latent;
import java.util.Objects;

/**
 * Codes one stream of frames (one camera) as a KEY frame followed by DELTA frames, each predicted
 * from the previous frame's latent symbols: closed-loop prediction in the integer latent domain, so
 * the reference is exactly what every decoder holds and nothing drifts however long the chain.
 *
 * <p>A frame is a KEY frame ({@link KeyframeCause}) when it is the first, when the model or the
 * image size or format changed, when its sequence number is not the previous one plus one (gap,
 * repeat or reordering), when one was requested, or when the {@link KeyframePolicy} interval has
 * passed. Otherwise the encoder decides per latent position whether to skip it and per value
 * whether to keep the reference ({@link DeltaOptions}), and codes the changes with the chain's
 * adaptive contexts.
 *
 * <p>Not thread-safe: one instance per stream, used by one thread at a time. Its whole memory is
 * the {@link ReferenceState} ({@link #state()}, {@link #resume}); it does not own the model.
 */
public final class SequenceEncoder {
  private final KeyframePolicy policy;
  private final DeltaOptions options;
  private CodecModel model;
  private ReferenceState state;
  private boolean keyRequested;
  private boolean wasReset;

  public SequenceEncoder(CodecModel model, KeyframePolicy policy, DeltaOptions options) {
    this.model = Objects.requireNonNull(model, "model");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.options = Objects.requireNonNull(options, "options");
  }

  /** An encoder that continues a chain from a state saved earlier (by this or another instance). */
  public static SequenceEncoder resume(
      CodecModel model, KeyframePolicy policy, DeltaOptions options, ReferenceState state) {
    SequenceEncoder e = new SequenceEncoder(model, policy, options);
    e.state = state;
    return e;
  }

  /** The model for the next frames; a different one starts a new chain with a KEY frame. */
  public void setModel(CodecModel model) {
    this.model = Objects.requireNonNull(model, "model");
  }

  public CodecModel model() {
    return model;
  }

  /** The next frame will be a KEY frame ({@link KeyframeCause#REQUEST}). */
  public void requestKeyframe() {
    keyRequested = true;
  }

  /** Forgets the chain: the next frame is a KEY frame ({@link KeyframeCause#RESET}). */
  public void reset() {
    if (state != null) {
      wasReset = true;
    }
    state = null;
  }

  /**
   * The picture every decoder of this stream holds after the last frame (runs the synthesis
   * transform).
   *
   * @throws IllegalStateException before the first frame
   */
  public PixelImage reconstruction() {
    if (state == null) {
      throw new IllegalStateException("no frame coded yet");
    }
    return LearnedCodec.reconstruct(model, state.symbols(), state.keyHeader());
  }

  /** The state after the last frame coded; null before the first. */
  public ReferenceState state() {
    return state;
  }

  /**
   * Codes the next frame of the stream.
   *
   * @param sequence the frame's sequence number in its stream
   * @param captureTimeMs its capture time in ms (for {@link KeyframePolicy#intervalMs()}), or -1
   *     when unknown
   * @throws io.latentstream.codec.InvalidImageException for images the codec cannot take
   * @throws io.latentstream.codec.model.ModelClosedException when the model was closed meanwhile;
   *     nothing changed
   */
  public SequenceFrame encode(PixelImage image, long sequence, long captureTimeMs) {
    Latent y = LearnedCodec.analyze(model, image);
    LsfHeader header = LearnedCodec.header(model, image, y);
    KeyframeCause cause = keyframeCause(header, sequence, captureTimeMs);
    int positions = y.height() * y.width();
    EntropyModel entropy = model.entropy();
    if (cause != null) {
      int[] q = entropy.quantize(y.data());
      byte[] bits = LearnedCodec.writeKey(model, image, y, q, sequence);
      state =
          new ReferenceState(
              header,
              sequence,
              sequence,
              captureTimeMs,
              q,
              entropy.latentCoder().newDeltaContexts());
      keyRequested = false;
      wasReset = false;
      return new SequenceFrame(
          bits,
          FrameType.KEY,
          sequence,
          sequence,
          cause,
          model.version(),
          image.width(),
          image.height(),
          positions,
          positions);
    }
    int[] ref = state.symbols();
    int[] q = new int[ref.length];
    int coded = decide(y.data(), entropy, ref, q);
    AdaptiveBits contexts = state.contexts().copy();
    byte[] payload = entropy.latentCoder().encodeDelta(q, ref, y.height(), y.width(), contexts);
    byte[] bits =
        LsfFormat.writeDelta(
            new DeltaHeader(state.modelFingerprint(), state.keySequence(), state.sequence()),
            payload);
    state =
        new ReferenceState(
            state.keyHeader(), state.keySequence(), sequence, state.keyTimeMs(), q, contexts);
    return new SequenceFrame(
        bits,
        FrameType.DELTA,
        sequence,
        state.keySequence(),
        null,
        model.version(),
        image.width(),
        image.height(),
        coded,
        positions);
  }

  private KeyframeCause keyframeCause(LsfHeader header, long sequence, long captureTimeMs) {
    if (state == null) {
      return wasReset ? KeyframeCause.RESET : KeyframeCause.START;
    }
    LsfHeader key = state.keyHeader();
    if (!key.modelVersion().equals(header.modelVersion())) {
      return KeyframeCause.MODEL_CHANGE;
    }
    if (!key.equals(header)) {
      return KeyframeCause.FORMAT_CHANGE;
    }
    if (state.sequence() == Long.MAX_VALUE || sequence != state.sequence() + 1) {
      return KeyframeCause.SEQUENCE_GAP;
    }
    if (keyRequested) {
      return KeyframeCause.REQUEST;
    }
    if (sequence - state.keySequence() >= policy.intervalFrames()) {
      return KeyframeCause.INTERVAL_FRAMES;
    }
    if (policy.intervalMs() > 0
        && captureTimeMs >= 0
        && state.keyTimeMs() >= 0
        && captureTimeMs - state.keyTimeMs() >= policy.intervalMs()) {
      return KeyframeCause.INTERVAL_TIME;
    }
    return null;
  }

  /**
   * The encoder's decisions: fills {@code q} from the unrounded latent and the reference; returns
   * the number of positions that are not skipped. Uses the quantizer's exact float expression so
   * that with {@link DeltaOptions#LOSSLESS} the symbols equal a KEY frame's.
   */
  private int decide(float[] y, EntropyModel entropy, int[] ref, int[] q) {
    int m = entropy.channels();
    float[] medians = new float[m];
    for (int c = 0; c < m; c++) {
      medians[c] = entropy.median(c);
    }
    double keep = 0.5 + options.deadZone();
    double skip = 0.5 + options.skipZone();
    int coded = 0;
    for (int at = 0; at < y.length; at += m) {
      boolean skipped = true;
      for (int c = 0; c < m; c++) {
        float t = y[at + c] - medians[c];
        if (Math.abs((double) t - ref[at + c]) >= skip) {
          skipped = false;
          break;
        }
      }
      if (skipped) {
        System.arraycopy(ref, at, q, at, m);
        continue;
      }
      boolean changed = false;
      for (int c = 0; c < m; c++) {
        float t = y[at + c] - medians[c];
        int r = ref[at + c];
        int v = Math.abs((double) t - r) < keep ? r : EntropyModel.round(t);
        q[at + c] = v;
        changed |= v != r;
      }
      if (changed) {
        coded++;
      }
    }
    return coded;
  }
}
