package io.latentstream.codec.sequence;

import io.latentstream.codec.CorruptBitstreamException;
import io.latentstream.codec.DecodeLimits;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.MissingReferenceException;
import io.latentstream.codec.ModelMismatchException;
import io.latentstream.codec.bitstream.DeltaHeader;
import io.latentstream.codec.bitstream.FrameType;
import io.latentstream.codec.bitstream.LsfFormat;
import io.latentstream.codec.bitstream.LsfHeader;
import io.latentstream.codec.entropy.AdaptiveBits;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.ModelResolver;
import java.util.Objects;

/**
 * Decodes one stream of KEY and DELTA frames (v1 bitstreams too, as KEY frames). {@link #apply}
 * entropy-decodes a frame into the stream's state (cheap: no neural network); {@link #image()} runs
 * the synthesis transform on the state. {@link #decode} is both. Random access to frame n: apply
 * the chain from its key frame, then one image().
 *
 * <p>A DELTA must follow exactly the frame it was predicted from: otherwise {@link
 * MissingReferenceException} (naming the key frame whose chain is needed), a DELTA of another model
 * {@link ModelMismatchException}, a corrupt one {@link CorruptBitstreamException}, a KEY frame
 * larger than the decoder's {@link DecodeLimits} {@link
 * io.latentstream.codec.FrameTooLargeException} (before its model is resolved or anything
 * allocated). A frame that fails leaves the state as it was.
 *
 * <p>Not thread-safe: one instance per stream. The state is an immutable {@link ReferenceState}; it
 * can be kept (e.g. every n frames as random-access checkpoints) and resumed.
 */
public final class SequenceDecoder {
  private final ModelResolver resolver;
  private final DecodeLimits limits;
  private ReferenceState state;

  /** A decoder of any frame the format allows ({@link DecodeLimits#DEFAULT}). */
  public SequenceDecoder(ModelResolver resolver) {
    this(resolver, DecodeLimits.DEFAULT);
  }

  /** A decoder that refuses KEY frames larger than {@code limits}. */
  public SequenceDecoder(ModelResolver resolver, DecodeLimits limits) {
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** A decoder that continues from a saved state. */
  public static SequenceDecoder resume(ModelResolver resolver, ReferenceState state) {
    return resume(resolver, state, DecodeLimits.DEFAULT);
  }

  /** A decoder with {@code limits} that continues from a saved state. */
  public static SequenceDecoder resume(
      ModelResolver resolver, ReferenceState state, DecodeLimits limits) {
    SequenceDecoder d = new SequenceDecoder(resolver, limits);
    d.state = state;
    return d;
  }

  /** The state after the last frame applied; null before the first KEY frame. */
  public ReferenceState state() {
    return state;
  }

  /** Forgets the stream; the next frame must be a KEY frame. */
  public void reset() {
    state = null;
  }

  /** Applies a frame and returns its picture. */
  public PixelImage decode(byte[] bitstream) {
    apply(bitstream);
    return image();
  }

  /**
   * Entropy-decodes a frame into the state without running the synthesis transform.
   *
   * @return the parsed frame (type, sequence)
   * @throws MissingReferenceException for a DELTA that does not follow the frame held
   * @throws ModelMismatchException for a DELTA of another model than the chain held
   * @throws CorruptBitstreamException for corrupt or truncated bytes
   * @throws io.latentstream.codec.FrameTooLargeException for a KEY frame larger than this decoder's
   *     limits
   * @throws io.latentstream.codec.UnknownModelException when a KEY frame's model cannot be loaded
   */
  public LsfFormat.Parsed apply(byte[] bitstream) {
    LsfFormat.Parsed parsed = LsfFormat.parse(bitstream);
    if (parsed.type() == FrameType.KEY) {
      LsfHeader h = parsed.header();
      limits.check(h);
      state =
          resolver.withModel(
              h.modelVersion(),
              model ->
                  new ReferenceState(
                      h,
                      parsed.sequence(),
                      parsed.sequence(),
                      -1,
                      LearnedCodec.readKeySymbols(parsed, model, limits),
                      model.entropy().latentCoder().newDeltaContexts()));
      return parsed;
    }
    DeltaHeader d = parsed.delta();
    ReferenceState s = state;
    if (s == null) {
      throw new MissingReferenceException(
          d.keySequence(),
          d.referenceSequence(),
          "DELTA frame "
              + d.sequence()
              + " needs the chain from key frame "
              + d.keySequence()
              + "; this decoder holds no frame");
    }
    if (d.modelFingerprint() != s.modelFingerprint()) {
      throw new ModelMismatchException(
          "DELTA frame "
              + d.sequence()
              + " was coded by another model than "
              + s.modelVersion()
              + " (fingerprint "
              + Integer.toHexString(d.modelFingerprint())
              + " vs "
              + Integer.toHexString(s.modelFingerprint())
              + ")");
    }
    if (d.keySequence() != s.keySequence() || d.referenceSequence() != s.sequence()) {
      throw new MissingReferenceException(
          d.keySequence(),
          d.referenceSequence(),
          "DELTA frame "
              + d.sequence()
              + " is predicted from frame "
              + d.referenceSequence()
              + " of the chain from key frame "
              + d.keySequence()
              + "; this decoder holds frame "
              + s.sequence()
              + " of the chain from key frame "
              + s.keySequence());
    }
    LsfHeader key = s.keyHeader();
    AdaptiveBits contexts = s.contexts().copy();
    int[] q = new int[s.symbols().length];
    resolver.withModel(
        key.modelVersion(),
        model -> {
          if (!model.entropy().latentCoder().fitsDeltaContexts(contexts)) {
            throw new CorruptBitstreamException(
                "reference state does not fit model " + model.version());
          }
          model
              .entropy()
              .latentCoder()
              .decodeDelta(
                  parsed.buffer(),
                  parsed.payloadOffset(),
                  parsed.payloadLength(),
                  s.symbols(),
                  q,
                  key.latentHeight(),
                  key.latentWidth(),
                  contexts);
          return null;
        });
    state = new ReferenceState(key, s.keySequence(), d.sequence(), -1, q, contexts);
    return parsed;
  }

  /**
   * The picture of the last frame applied.
   *
   * @throws IllegalStateException before the first frame
   */
  public PixelImage image() {
    ReferenceState s = state;
    if (s == null) {
      throw new IllegalStateException("no frame decoded yet");
    }
    return resolver.withModel(
        s.modelVersion(), model -> LearnedCodec.reconstruct(model, s.symbols(), s.keyHeader()));
  }
}
