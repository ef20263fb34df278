package io.latentstream.trainer.service;

import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.codec.model.CodecModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rate-distortion of one model package on the held-out frames, measured with the real codec: every
 * frame is compressed to a bitstream ({@code bpp} = its bytes × 8 / pixels, headers included, i.e.
 * exactly what {@code images.latent} would carry) and decompressed; distortion is the 8-bit MSE and
 * PSNR over all samples.
 *
 * <p>The cost of a set of frames is {@code mean bpp + lambda × mean MSE} (MSE of 8-bit values), the
 * same trade-off as the training loss ({@code bpp + lambda·255²·MSE} on [0, 1] values), so a model
 * that trades bits for quality at the rate its lambda asks for is not penalized. Immutable results;
 * the evaluation itself is stateless.
 */
public final class CodecEvaluation {

  /** Averages over a set of frames. */
  public record Score(int frames, double bpp, double mse, double psnr) {
    /** {@code bpp + lambda × mse}. */
    public double cost(double lambda) {
      return bpp + lambda * mse;
    }
  }

  /** The score of every camera and of all frames together (mean over frames). */
  public record Result(String version, Map<String, Score> perCamera, Score overall) {}

  private CodecEvaluation() {}

  /**
   * Compresses and decompresses every frame with the package in {@code packageDir}.
   *
   * @param frames held-out frame files by camera
   */
  public static Result evaluate(Path packageDir, Map<String, List<FrameReservoir.Frame>> frames) {
    try (CodecModel model = CodecModel.load(packageDir)) {
      LearnedCodec codec = LearnedCodec.of(model);
      Map<String, Score> perCamera = new LinkedHashMap<>();
      double bpp = 0;
      double mse = 0;
      double psnr = 0;
      int n = 0;
      for (Map.Entry<String, List<FrameReservoir.Frame>> e : frames.entrySet()) {
        double cb = 0;
        double cm = 0;
        double cp = 0;
        for (FrameReservoir.Frame f : e.getValue()) {
          PixelImage image = ImageFiles.read(f.file());
          EncodedImage encoded = codec.compress(image);
          PixelImage decoded = codec.decompress(encoded.bitstream());
          double b = QualityMetrics.bpp(encoded.bitstream().length, image.width(), image.height());
          double m = mse(image, decoded);
          double p = QualityMetrics.psnr(image, decoded);
          cb += b;
          cm += m;
          cp += p;
        }
        int k = e.getValue().size();
        if (k > 0) {
          perCamera.put(e.getKey(), new Score(k, cb / k, cm / k, cp / k));
          bpp += cb;
          mse += cm;
          psnr += cp;
          n += k;
        }
      }
      if (n == 0) {
        throw new IllegalArgumentException("no held-out frames to evaluate on");
      }
      return new Result(model.version(), perCamera, new Score(n, bpp / n, mse / n, psnr / n));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read a held-out frame", e);
    }
  }

  /** Mean squared error of 8-bit samples. */
  static double mse(PixelImage a, PixelImage b) {
    byte[] pa = a.pixels();
    byte[] pb = b.pixels();
    if (pa.length != pb.length) {
      throw new IllegalArgumentException("images differ in size or format");
    }
    long sse = 0;
    for (int i = 0; i < pa.length; i++) {
      int d = (pa[i] & 0xff) - (pb[i] & 0xff);
      sse += (long) d * d;
    }
    return sse / (double) pa.length;
  }
}
