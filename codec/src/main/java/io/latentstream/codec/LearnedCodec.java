package io.latentstream.codec;

import io.latentstream.codec.bitstream.LsfFormat;
import io.latentstream.codec.bitstream.LsfHeader;
import io.latentstream.codec.entropy.EntropyModel;
import io.latentstream.codec.entropy.RansCoder;
import io.latentstream.codec.image.PaddedTensor;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.Latent;
import io.latentstream.codec.model.ModelClosedException;
import io.latentstream.codec.model.ModelManifest;
import io.latentstream.codec.model.ModelResolver;
import java.util.Objects;

/**
 * The learned image codec (factorized prior, Ballé et al.): {@code compress} = pad, analysis transform g_a,
 * quantize around the medians, rANS-code with the model's tables, wrap in an LSF bitstream; {@code decompress} =
 * parse and validate, entropy-decode, dequantize, synthesis transform g_s, clip, crop.
 *
 * <p>Decoding always uses the model version named in the bitstream, obtained from the {@link ModelResolver}.
 * Encoding uses the model given at construction (may be null for a decode-only codec).
 *
 * <p>Thread-safe and cheap: it holds no state besides its two references; create a new one to switch the encoder
 * model. It closes nothing: the caller owns the encoder model, the resolver owns its models.
 */
public final class LearnedCodec {
  private static final int MAX_RESOLVE_ATTEMPTS = 5;
  private final CodecModel encoderModel;
  private final ModelResolver resolver;

  /**
   * @param encoderModel model used by {@link #compress}; null for decode-only use
   * @param resolver finds the model of a bitstream's version
   */
  public LearnedCodec(CodecModel encoderModel, ModelResolver resolver) {
    this.encoderModel = encoderModel;
    this.resolver = Objects.requireNonNull(resolver, "resolver");
  }

  /** A codec that encodes and decodes with one model only. */
  public static LearnedCodec of(CodecModel model) {
    return new LearnedCodec(model, version -> {
      if (!version.equals(model.version())) {
        throw new UnknownModelException(version, "bitstream needs model " + version + ", only " + model.version()
            + " is loaded");
      }
      return model;
    });
  }

  public CodecModel encoderModel() {
    return encoderModel;
  }

  /**
   * Compresses an image.
   *
   * @throws InvalidImageException for images the codec cannot take
   * @throws ModelClosedException when the encoder model was closed meanwhile
   */
  public EncodedImage compress(PixelImage image) {
    if (encoderModel == null) {
      throw new IllegalStateException("this codec has no encoder model");
    }
    PixelImage.checkDimensions(image.width(), image.height());
    ModelManifest m = encoderModel.manifest();
    int s = m.stride();
    PaddedTensor x = PaddedTensor.of(image, s);
    Latent y = encoderModel.analyze(x);
    EntropyModel entropy = encoderModel.entropy();
    int[] q = entropy.quantize(y.data());
    byte[] payload = RansCoder.encode(q, entropy.ransTables());
    LsfHeader header = new LsfHeader(m.version(), image.width(), image.height(), image.format(),
        image.container(), s, y.height(), y.width(), y.channels());
    byte[] bits = LsfFormat.write(header, payload);
    return new EncodedImage(bits, m.version(), image.width(), image.height());
  }

  /**
   * Decompresses a bitstream with the model it names.
   *
   * @throws CorruptBitstreamException when the bytes are truncated, corrupted or do not fit the model
   * @throws UnknownModelException when the resolver does not know the model version
   */
  public PixelImage decompress(byte[] bitstream) {
    LsfFormat.Parsed parsed = LsfFormat.parse(bitstream);
    LsfHeader h = parsed.header();
    for (int attempt = 1; ; attempt++) {
      CodecModel model = resolver.resolve(h.modelVersion());
      // The lease pins the model for the whole decode; only the gap between resolve() and lease() can see a model
      // the resolver has just evicted, and then we simply resolve again.
      CodecModel.Lease lease;
      try {
        lease = model.lease();
      } catch (ModelClosedException e) {
        if (attempt == MAX_RESOLVE_ATTEMPTS) {
          throw e;
        }
        continue;
      }
      try (lease) {
        return decompress(parsed, model);
      }
    }
  }

  private static PixelImage decompress(LsfFormat.Parsed parsed, CodecModel model) {
    LsfHeader h = parsed.header();
    ModelManifest m = model.manifest();
    if (h.latentChannels() != m.latentChannels() || h.stride() != m.stride()) {
      throw new CorruptBitstreamException("bitstream latent M=" + h.latentChannels() + ", stride=" + h.stride()
          + " do not match model " + m.version() + " (M=" + m.latentChannels() + ", stride=" + m.stride() + ")");
    }
    EntropyModel entropy = model.entropy();
    int[] q = new int[(int) h.symbolCount()];
    RansCoder.decode(parsed.buffer(), parsed.payloadOffset(), parsed.payloadLength(), q, entropy.ransTables());
    Latent yHat = new Latent(entropy.dequantize(q), h.latentHeight(), h.latentWidth(), h.latentChannels());
    PaddedTensor xHat = model.synthesize(yHat);
    return xHat.toImage(h.width(), h.height(), h.pixelFormat(), h.container());
  }

  /** Reads a bitstream's header (validated, CRC checked) without decoding it. */
  public static LsfHeader inspect(byte[] bitstream) {
    return LsfFormat.parse(bitstream).header();
  }
}
