package io.latentstream.streams.topology;

import static io.latentstream.schemas.DeadLetterReason.BYTE_COUNT_MISMATCH;
import static io.latentstream.schemas.DeadLetterReason.CORRUPT_IMAGE;
import static io.latentstream.schemas.DeadLetterReason.OVERSIZED_FRAME;
import static io.latentstream.schemas.DeadLetterReason.ZERO_DIMENSIONS;

import io.latentstream.codec.image.ContainerFormat;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.schemas.RawFrame;
import io.latentstream.streams.errors.FrameRejectedException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns a {@link RawFrame} into the {@link PixelImage} the codec takes, or rejects it with the
 * dead-letter reason.
 *
 * <p>Checks come before any allocation that the record controls: the declared dimensions against
 * the pixel limit, then for JPEG/PNG the dimensions in the file header (read without decoding
 * pixels, so a small file that claims to be huge, a decompression bomb, is refused), and only then
 * the pixels are decoded. A JPEG/PNG whose header disagrees with the record, or whose decoder warns
 * (a truncated JPEG decodes to grey with only a warning), is a {@code CORRUPT_IMAGE}.
 *
 * <p>Immutable and thread-safe.
 */
public final class RawFrameValidator {

  private final long maxPixels;

  /**
   * @param maxPixels largest width × height accepted
   */
  public RawFrameValidator(long maxPixels) {
    this.maxPixels = Math.min(maxPixels, PixelImage.MAX_PIXELS);
  }

  /**
   * @throws FrameRejectedException with the reason when the frame cannot be encoded
   */
  public PixelImage toImage(RawFrame frame) {
    int width = frame.getWidth();
    int height = frame.getHeight();
    if (width <= 0 || height <= 0) {
      throw new FrameRejectedException(ZERO_DIMENSIONS, "frame is " + width + "x" + height);
    }
    checkSize(width, height, "frame");
    byte[] bytes = bytes(frame.getPixels());
    return switch (frame.getPixelFormat()) {
      case RGB24 -> raw(width, height, PixelFormat.RGB24, bytes);
      case GRAY8 -> raw(width, height, PixelFormat.GRAY8, bytes);
      case JPEG -> compressed(width, height, ContainerFormat.JPEG, bytes);
      case PNG -> compressed(width, height, ContainerFormat.PNG, bytes);
    };
  }

  private void checkSize(long width, long height, String what) {
    if (width * height > maxPixels
        || width > PixelImage.MAX_DIMENSION
        || height > PixelImage.MAX_DIMENSION) {
      throw new FrameRejectedException(
          OVERSIZED_FRAME,
          what
              + " is "
              + width
              + "x"
              + height
              + " = "
              + width * height
              + " pixels, the limit is "
              + maxPixels
              + " (at most "
              + PixelImage.MAX_DIMENSION
              + " per side)");
    }
  }

  private static PixelImage raw(int width, int height, PixelFormat format, byte[] bytes) {
    Optional<String> mismatch =
        PixelImage.rawSizeMismatch(width, height, format, bytes.length, "the frame");
    if (mismatch.isPresent()) {
      throw new FrameRejectedException(BYTE_COUNT_MISMATCH, mismatch.get());
    }
    return new PixelImage(width, height, format, bytes, ContainerFormat.RAW);
  }

  private PixelImage compressed(int width, int height, ContainerFormat container, byte[] bytes) {
    String declared = container.name();
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new FrameRejectedException(
            CORRUPT_IMAGE,
            "declared " + declared + ", but the bytes are no image" + " format this service reads");
      }
      ImageReader reader = readers.next();
      try {
        String actual = reader.getFormatName().toLowerCase(Locale.ROOT);
        if (!(container == ContainerFormat.PNG ? actual.contains("png") : actual.contains("jp"))) {
          throw new FrameRejectedException(
              CORRUPT_IMAGE, "declared " + declared + ", but the bytes are " + actual);
        }
        reader.setInput(in, true, true);
        int headerWidth;
        int headerHeight;
        try {
          headerWidth = reader.getWidth(0);
          headerHeight = reader.getHeight(0);
        } catch (IOException | RuntimeException e) {
          throw new FrameRejectedException(
              CORRUPT_IMAGE, declared + " header unreadable: " + e.getMessage(), e);
        }
        checkSize(headerWidth, headerHeight, declared + " header");
        if (headerWidth != width || headerHeight != height) {
          throw new FrameRejectedException(
              CORRUPT_IMAGE,
              declared
                  + " header says "
                  + headerWidth
                  + "x"
                  + headerHeight
                  + ", the record says "
                  + width
                  + "x"
                  + height);
        }
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage image;
        try {
          image = reader.read(0);
        } catch (IOException | RuntimeException e) {
          throw new FrameRejectedException(
              CORRUPT_IMAGE, declared + " does not decode: " + e.getMessage(), e);
        }
        if (!warnings.isEmpty()) {
          throw new FrameRejectedException(
              CORRUPT_IMAGE, declared + " decoded with warnings: " + warnings);
        }
        return ImageFiles.fromBufferedImage(image, container);
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      throw new FrameRejectedException(
          CORRUPT_IMAGE, declared + " unreadable: " + e.getMessage(), e);
    }
  }

  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer.hasArray()
        && buffer.arrayOffset() == 0
        && buffer.position() == 0
        && buffer.remaining() == buffer.array().length) {
      return buffer.array();
    }
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
