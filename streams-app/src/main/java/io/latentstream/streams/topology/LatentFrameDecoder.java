package io.latentstream.streams.topology;

import io.latentstream.codec.CodecException;
import io.latentstream.codec.UnknownModelException;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.ModelPackageException;
import io.latentstream.schemas.DecodeStatus;
import io.latentstream.schemas.FrameType;
import io.latentstream.schemas.LatentFrame;
import io.latentstream.schemas.PixelFormat;
import io.latentstream.streams.model.ModelRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import javax.imageio.ImageIO;

/**
 * Decodes a stored {@link LatentFrame} with the model version named in its bitstream (the {@link ModelRegistry}
 * resolves it, loading an older version if needed) and classifies failures as {@link DecodeStatus}es, for the
 * decode-request topology and the HTTP mirror alike. Thread-safe; holds no resources.
 */
public final class LatentFrameDecoder {
  private final ModelRegistry registry;

  public LatentFrameDecoder(ModelRegistry registry) {
    this.registry = registry;
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
      return image.format() == io.latentstream.codec.image.PixelFormat.GRAY8 ? PixelFormat.GRAY8
          : PixelFormat.RGB24;
    }
  }

  /**
   * Why a frame did not decode.
   *
   * @param status MODEL_UNAVAILABLE (its version cannot be loaded) or FAILED (corrupt or unsupported frame)
   */
  public record Failed(DecodeStatus status, String error) implements Result {}

  public Result decode(LatentFrame frame) {
    if (frame.getFrameType() != FrameType.KEY) {
      return new Failed(DecodeStatus.FAILED, "frame type " + frame.getFrameType() + " is not supported");
    }
    ByteBuffer buf = frame.getBitstream().duplicate();
    byte[] bits = new byte[buf.remaining()];
    buf.get(bits);
    try {
      return new Decoded(registry.decompress(bits), frame.getModelVersion());
    } catch (UnknownModelException | ModelPackageException e) {
      return new Failed(DecodeStatus.MODEL_UNAVAILABLE, "model " + frame.getModelVersion()
          + " cannot be loaded: " + e.getMessage());
    } catch (CodecException | IllegalArgumentException e) {
      return new Failed(DecodeStatus.FAILED, "cannot decode frame: " + e.getMessage());
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
}
