package io.latentstream.codec;

import io.latentstream.codec.bitstream.DeltaHeader;
import io.latentstream.codec.bitstream.FrameType;
import io.latentstream.codec.bitstream.LsfFormat;
import io.latentstream.codec.bitstream.LsfHeader;
import io.latentstream.codec.entropy.EntropyModel;
import io.latentstream.codec.entropy.RansCoder;
import io.latentstream.codec.image.PaddedTensor;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.Latent;
import io.latentstream.codec.model.ModelManifest;
import io.latentstream.codec.model.ModelResolver;
import java.util.Objects;

/**
 * The learned image codec (factorized prior, Ballé et al.): {@code compress} = pad, analysis
 * transform g_a, quantize around the medians, code the symbols with context-adaptive arithmetic
 * coding initialised from the model's tables, wrap in an LSF v2 KEY bitstream; {@code decompress} =
 * parse and validate, entropy-decode (v1 rANS or v2), dequantize, synthesis transform g_s, clip,
 * crop. Streams of frames (KEY and DELTA) are coded by {@link
 * io.latentstream.codec.sequence.SequenceEncoder} and decoded by {@link
 * io.latentstream.codec.sequence.SequenceDecoder}, which share the static steps here.
 *
 * <p>Decoding always uses the model version named in the bitstream, obtained from the {@link
 * ModelResolver}, and refuses a frame larger than its {@link DecodeLimits} before resolving the
 * model or allocating anything. Encoding uses the model given at construction (may be null for a
 * decode-only codec).
 *
 * <p>Thread-safe and cheap: it holds no state besides its references; create a new one to switch
 * the encoder model. It closes nothing: the caller owns the encoder model, the resolver owns its
 * models.
 */
public final class LearnedCodec {
  private final CodecModel encoderModel;
  private final ModelResolver resolver;
  private final DecodeLimits limits;

  /**
   * A codec that decodes any frame the format allows ({@link DecodeLimits#DEFAULT}).
   *
   * @param encoderModel model used by {@link #compress}; null for decode-only use
   * @param resolver finds the model of a bitstream's version
   */
  public LearnedCodec(CodecModel encoderModel, ModelResolver resolver) {
    this(encoderModel, resolver, DecodeLimits.DEFAULT);
  }

  /**
   * @param encoderModel model used by {@link #compress}; null for decode-only use
   * @param resolver finds the model of a bitstream's version
   * @param limits what {@link #decompress} accepts from a bitstream's header
   */
  public LearnedCodec(CodecModel encoderModel, ModelResolver resolver, DecodeLimits limits) {
    this.encoderModel = encoderModel;
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** A codec that encodes and decodes with one model only. */
  public static LearnedCodec of(CodecModel model) {
    return new LearnedCodec(model, only(model));
  }

  /** A resolver that knows one model. */
  public static ModelResolver only(CodecModel model) {
    return version -> {
      if (!version.equals(model.version())) {
        throw new UnknownModelException(
            version,
            "bitstream needs model " + version + ", only " + model.version() + " is loaded");
      }
      return model;
    };
  }

  public CodecModel encoderModel() {
    return encoderModel;
  }

  public ModelResolver resolver() {
    return resolver;
  }

  public DecodeLimits limits() {
    return limits;
  }

  /** This codec with other decode limits. */
  public LearnedCodec withLimits(DecodeLimits limits) {
    return new LearnedCodec(encoderModel, resolver, limits);
  }

  /**
   * Compresses an image as a self-contained KEY frame (sequence number 0).
   *
   * @throws InvalidImageException for images the codec cannot take
   * @throws io.latentstream.codec.model.ModelClosedException when the encoder model was closed
   *     meanwhile
   */
  public EncodedImage compress(PixelImage image) {
    if (encoderModel == null) {
      throw new IllegalStateException("this codec has no encoder model");
    }
    Latent y = analyze(encoderModel, image);
    int[] q = encoderModel.entropy().quantize(y.data());
    return new EncodedImage(
        writeKey(encoderModel, image, y, q, 0),
        encoderModel.version(),
        image.width(),
        image.height());
  }

  /** Pads an image and runs the analysis transform. */
  public static Latent analyze(CodecModel model, PixelImage image) {
    PixelImage.checkDimensions(image.width(), image.height());
    return model.analyze(PaddedTensor.of(image, model.manifest().stride()));
  }

  /** The header a KEY frame of {@code image} gets with {@code model}. */
  public static LsfHeader header(CodecModel model, PixelImage image, Latent y) {
    return new LsfHeader(
        model.version(),
        image.width(),
        image.height(),
        image.format(),
        image.container(),
        model.manifest().stride(),
        y.height(),
        y.width(),
        y.channels());
  }

  /** A v2 KEY bitstream of the symbols {@code q} of {@code image}'s latent {@code y}. */
  public static byte[] writeKey(
      CodecModel model, PixelImage image, Latent y, int[] q, long sequence) {
    byte[] payload = model.entropy().latentCoder().encodeKey(q, y.height(), y.width());
    return LsfFormat.writeKey(header(model, image, y), sequence, payload);
  }

  /**
   * Decompresses a KEY bitstream (v1 or v2) with the model it names.
   *
   * @throws CorruptBitstreamException when the bytes are truncated, corrupted or do not fit the
   *     model
   * @throws FrameTooLargeException when the frame claims a larger image than this codec's limits
   * @throws UnknownModelException when the resolver does not know the model version
   * @throws MissingReferenceException for a DELTA frame (decode it with a SequenceDecoder over its
   *     chain)
   */
  public PixelImage decompress(byte[] bitstream) {
    LsfFormat.Parsed parsed = LsfFormat.parse(bitstream);
    if (parsed.type() == FrameType.DELTA) {
      DeltaHeader d = parsed.delta();
      throw new MissingReferenceException(
          d.keySequence(),
          d.referenceSequence(),
          "frame "
              + d.sequence()
              + " is a DELTA frame: it decodes only after its chain from key frame "
              + d.keySequence()
              + " (use a SequenceDecoder)");
    }
    LsfHeader h = parsed.header();
    limits.check(h);
    return resolver.withModel(
        h.modelVersion(), model -> reconstruct(model, readKeySymbols(parsed, model, limits), h));
  }

  /**
   * {@link #readKeySymbols(LsfFormat.Parsed, CodecModel, DecodeLimits)} with {@link
   * DecodeLimits#DEFAULT}.
   */
  public static int[] readKeySymbols(LsfFormat.Parsed parsed, CodecModel model) {
    return readKeySymbols(parsed, model, DecodeLimits.DEFAULT);
  }

  /**
   * Entropy-decodes a parsed KEY frame (v1 or v2) into its latent symbols, after checking its size
   * against {@code limits}.
   *
   * @throws FrameTooLargeException when the frame claims a larger image than {@code limits}
   * @throws CorruptBitstreamException when the payload is corrupt or the latent does not fit the
   *     model
   */
  public static int[] readKeySymbols(
      LsfFormat.Parsed parsed, CodecModel model, DecodeLimits limits) {
    LsfHeader h = parsed.header();
    limits.check(h);
    ModelManifest m = model.manifest();
    if (h.latentChannels() != m.latentChannels() || h.stride() != m.stride()) {
      throw new CorruptBitstreamException(
          "bitstream latent M="
              + h.latentChannels()
              + ", stride="
              + h.stride()
              + " do not match model "
              + m.version()
              + " (M="
              + m.latentChannels()
              + ", stride="
              + m.stride()
              + ")");
    }
    EntropyModel entropy = model.entropy();
    int[] q = new int[(int) h.symbolCount()];
    if (parsed.formatVersion() == 1) {
      RansCoder.decode(
          parsed.buffer(), parsed.payloadOffset(), parsed.payloadLength(), q, entropy.ransTables());
    } else {
      entropy
          .latentCoder()
          .decodeKey(
              parsed.buffer(),
              parsed.payloadOffset(),
              parsed.payloadLength(),
              q,
              h.latentHeight(),
              h.latentWidth());
    }
    return q;
  }

  /** Dequantizes symbols, runs the synthesis transform and crops to the header's image. */
  public static PixelImage reconstruct(CodecModel model, int[] q, LsfHeader h) {
    Latent yHat =
        new Latent(
            model.entropy().dequantize(q), h.latentHeight(), h.latentWidth(), h.latentChannels());
    PaddedTensor xHat = model.synthesize(yHat);
    return xHat.toImage(h.width(), h.height(), h.pixelFormat(), h.container());
  }

  /**
   * Reads a KEY bitstream's header (validated, CRC checked) without decoding it; null for a DELTA
   * frame.
   */
  public static LsfHeader inspect(byte[] bitstream) {
    return LsfFormat.parse(bitstream).header();
  }
}
