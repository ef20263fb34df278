package io.latentstream.trainer.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.codec.model.CodecModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The held-out score of an exported package measured the way {@code ./latentstream eval} measures
 * it: every photo (PNG/JPEG in one folder, at its full size) is compressed by the real codec and
 * decompressed; bpp is the bitstream's bytes × 8 / pixels (headers included), PSNR and MS-SSIM are
 * the codec's metrics on the 8-bit output. This is what the manifest's {@code metrics} record, so
 * that eval reproduces them exactly; the training graph's ideal code length (a few bytes per image
 * less: no header, no coder flush) is kept beside it as {@code idealBpp}. Stateless; thread-safe.
 */
public final class PackageScore {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Mean over the images. */
  public record Result(int images, double bpp, double psnr, double msssim) {}

  private PackageScore() {}

  /** Scores the package in {@code packageDir} on every image of {@code folder}. */
  public static Result score(Path packageDir, Path folder) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(folder)) {
      files =
          s.filter(
                  p -> {
                    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                    return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
                  })
              .sorted()
              .toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no PNG/JPEG images in " + folder);
    }
    double bpp = 0;
    double psnr = 0;
    double msssim = 0;
    try (CodecModel model = CodecModel.load(packageDir)) {
      LearnedCodec codec = LearnedCodec.of(model);
      for (Path f : files) {
        PixelImage image = ImageFiles.read(f);
        EncodedImage encoded = codec.compress(image);
        PixelImage decoded = codec.decompress(encoded.bitstream());
        bpp += QualityMetrics.bpp(encoded.bitstream().length, image.width(), image.height());
        psnr += QualityMetrics.psnr(image, decoded);
        msssim += QualityMetrics.msssim(image, decoded);
      }
    }
    int n = files.size();
    return new Result(n, bpp / n, psnr / n, msssim / n);
  }

  /**
   * Replaces the {@code metrics} of the package's manifest with {@code r} (plus {@code idealBpp}
   * when given). The manifest is not covered by the package digest, so the package stays valid.
   */
  public static void writeMetrics(Path packageDir, Result r, Double idealBpp) throws IOException {
    Path manifest = packageDir.resolve("manifest.json");
    ObjectNode root = (ObjectNode) JSON.readTree(manifest.toFile());
    ObjectNode m = JSON.createObjectNode();
    m.put("dataset", "heldout-photos");
    m.put("images", r.images());
    m.put("bpp", Math.round(r.bpp() * 10000) / 10000.0);
    m.put("psnr", Math.round(r.psnr() * 100) / 100.0);
    m.put("msssim", Math.round(r.msssim() * 10000) / 10000.0);
    m.put("rate", "real bitstreams (bytes x 8 / pixels, headers included)");
    if (idealBpp != null) {
      m.put("idealBpp", Math.round(idealBpp * 10000) / 10000.0);
    }
    root.set("metrics", m);
    Path tmp = packageDir.resolve("manifest.json.tmp");
    JSON.writeValue(tmp.toFile(), root);
    Files.move(
        tmp,
        manifest,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
