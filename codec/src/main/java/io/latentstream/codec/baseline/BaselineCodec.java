package io.latentstream.codec.baseline;

import io.latentstream.codec.image.PixelImage;
import java.io.IOException;
import java.util.List;

/**
 * A classic codec measured in the same harness as the learned one. Implementations are thread-safe.
 */
public interface BaselineCodec {
  /** Short name for reports, e.g. {@code jpeg}. */
  String name();

  /** The quality settings of a sweep, lowest first. */
  List<Integer> qualities();

  /**
   * Encodes at a quality and decodes again: real file size and the decoded image in the input's
   * format.
   */
  Result roundTrip(PixelImage image, int quality) throws IOException;

  /** One encoded-then-decoded image. */
  record Result(long bytes, PixelImage decoded) {}
}
