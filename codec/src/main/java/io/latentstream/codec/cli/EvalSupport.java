package io.latentstream.codec.cli;

import io.latentstream.codec.baseline.BaselineCodec;
import io.latentstream.codec.baseline.JpegBaseline;
import io.latentstream.codec.baseline.WebpBaseline;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.ModelCatalog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the evaluations of stills and of sequences share: the packages of a family and the per-frame
 * baselines.
 */
final class EvalSupport {
  private EvalSupport() {}

  /**
   * The package directories of a family's quality levels (lowest first), or the one package {@code
   * spec} names.
   */
  static List<Path> packages(ModelCatalog catalog, String spec) {
    List<Path> packages = new ArrayList<>();
    catalog.qualityLevels(spec).values().forEach(e -> packages.add(e.directory()));
    if (packages.isEmpty()) {
      packages.add(catalog.locate(spec, null));
    }
    return packages;
  }

  /**
   * Reads image files in the given order, each scaled down (aspect kept) to at most {@code
   * maxWidth} pixels wide when that is not null.
   */
  static List<PixelImage> readImages(List<Path> files, Integer maxWidth) throws IOException {
    List<PixelImage> images = new ArrayList<>();
    for (Path f : files) {
      PixelImage p = ImageFiles.read(f);
      if (maxWidth != null && p.width() > maxWidth) {
        p =
            ImageFiles.resize(
                p,
                maxWidth,
                Math.max(1, (int) Math.round((double) p.height() * maxWidth / p.width())));
      }
      images.add(p);
    }
    return images;
  }

  /** Writes a report as indented JSON (when {@code out} is given) and says so. */
  static void writeJson(Path out, Object report) throws java.io.IOException {
    if (out != null) {
      new com.fasterxml.jackson.databind.ObjectMapper()
          .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
          .writeValue(out.toFile(), report);
      System.out.println("wrote " + out);
    }
  }

  /**
   * JPEG (ImageIO), and WebP when Debian's cwebp/dwebp are on the PATH (else says so on stdout).
   */
  static List<BaselineCodec> perFrameBaselines() {
    List<BaselineCodec> baselines = new ArrayList<>();
    baselines.add(new JpegBaseline());
    WebpBaseline.find()
        .ifPresentOrElse(
            baselines::add,
            () ->
                System.out.println(
                    "webp: cwebp/dwebp not on PATH, skipped (Debian package 'webp')"));
    return baselines;
  }
}
