package io.latentstream.codec.cli;

import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.baseline.BaselineCodec;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.BdRate;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.ModelCatalog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code eval --images DIR [--model FAMILY] [--out rd.json] [--plot rd.png]}: every quality level
 * of a model family against JPEG (and WebP when installed), per image and mean bpp / PSNR /
 * MS-SSIM, BD-rate of each codec vs JPEG and vs WebP, and an RD plot.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Rate-distortion evaluation of every quality level against JPEG (and WebP when installed).")
final class EvalCommand implements Callable<Integer> {
  @Option(names = "--images", description = "Directory of PNG/JPEG images (stills).")
  Path images;

  @Option(
      names = "--sequence",
      description =
          "Directory of PNG/JPEG frames of one fixed camera, in name order: "
              + "sequence coding (KEY + DELTA frames) against per-frame coding, JPEG, WebP and x264.")
  Path sequence;

  @Option(
      names = "--frames",
      defaultValue = "0",
      description = "With --sequence: only the first N frames (0 = all).")
  int frames;

  @Option(
      names = "--psnr-every",
      defaultValue = "1",
      description =
          "With --sequence: measure PSNR on every Nth frame (all frames are coded; default every frame).")
  int psnrEvery;

  @picocli.CommandLine.Mixin SequenceOptions sequenceOptions = new SequenceOptions();

  @Option(
      names = "--fps",
      defaultValue = "25",
      description = "With --sequence: frame rate given to x264.")
  int fps;

  @Option(
      names = "--model",
      defaultValue = "default",
      description =
          "Model family (its -q1..-qK packages) or a single package (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--max-width", description = "Downscale wider images to this width first.")
  Integer maxWidth;

  @Option(names = "--out", description = "Write the RD results as JSON here.")
  Path out;

  @Option(names = "--plot", description = "Write an RD plot (PNG) here.")
  Path plot;

  /** One codec setting over all images. */
  record Curve(String codec, List<Setting> points) {}

  /** One quality setting: per-image results and means. */
  record Setting(
      String setting, double bpp, double psnr, double msssim, List<ImageResult> images) {}

  record ImageResult(
      String image, int width, int height, long bytes, double bpp, double psnr, double msssim) {}

  @Override
  public Integer call() throws Exception {
    if ((images == null) == (sequence == null)) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "give exactly one of --images DIR or --sequence DIR");
    }
    if (sequence != null) {
      return SequenceEval.run(
          sequence,
          model,
          frames,
          maxWidth,
          Math.max(1, psnrEvery),
          sequenceOptions.keyframeInterval,
          sequenceOptions.deltaOptions(),
          fps,
          out,
          plot);
    }
    List<Path> files = InputFiles.list(images, ".png", ".jpg", ".jpeg");
    List<PixelImage> pictures = EvalSupport.readImages(files, maxWidth);
    List<Curve> curves = new ArrayList<>();
    try (ModelCatalog catalog = ModelCatalog.fromEnvironment()) {
      List<Path> packages = EvalSupport.packages(catalog, model);
      List<Setting> learned = new ArrayList<>();
      for (Path pkg : packages) {
        CodecModel m = catalog.loadDirectory(pkg);
        LearnedCodec codec = new LearnedCodec(m, catalog);
        List<ImageResult> results = new ArrayList<>();
        for (int i = 0; i < pictures.size(); i++) {
          PixelImage p = pictures.get(i);
          EncodedImage e = codec.compress(p);
          PixelImage d = codec.decompress(e.bitstream());
          results.add(result(files.get(i), p, e.bitstream().length, d));
        }
        learned.add(setting(m.manifest().name(), results));
        System.out.printf(
            "%-28s bpp %.4f  PSNR %.2f  MS-SSIM %.4f%n",
            m.version(), last(learned).bpp(), last(learned).psnr(), last(learned).msssim());
      }
      curves.add(new Curve("learned:" + model, learned));
    }
    for (BaselineCodec b : EvalSupport.perFrameBaselines()) {
      List<Setting> settings = new ArrayList<>();
      for (int q : b.qualities()) {
        List<ImageResult> results = new ArrayList<>();
        for (int i = 0; i < pictures.size(); i++) {
          BaselineCodec.Result r = b.roundTrip(pictures.get(i), q);
          results.add(result(files.get(i), pictures.get(i), r.bytes(), r.decoded()));
        }
        settings.add(setting(b.name() + "-q" + q, results));
      }
      curves.add(new Curve(b.name(), settings));
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("images", files.stream().map(Path::toString).toList());
    report.put("curves", curves);
    Map<String, Map<String, Double>> bd = new LinkedHashMap<>();
    for (Curve anchor : curves.subList(1, curves.size())) {
      Map<String, Double> vs = new LinkedHashMap<>();
      for (Curve c : curves) {
        if (c != anchor) {
          double v = BdRate.percent(points(anchor), points(c));
          vs.put(c.codec(), Double.isFinite(v) ? v : null);
          System.out.printf(
              "BD-rate %s vs %s: %s%n",
              c.codec(),
              anchor.codec(),
              Double.isFinite(v) ? String.format("%+.1f %%", v) : "n/a (no PSNR overlap)");
        }
      }
      bd.put("vs " + anchor.codec(), vs);
    }
    report.put("bdRatePercent", bd);
    EvalSupport.writeJson(out, report);
    if (plot != null) {
      Map<String, List<BdRate.Point>> series = new LinkedHashMap<>();
      curves.forEach(c -> series.put(c.codec(), points(c)));
      RdPlot.write(series, plot);
      System.out.println("wrote " + plot);
    }
    return 0;
  }

  private static Setting last(List<Setting> s) {
    return s.get(s.size() - 1);
  }

  private static List<BdRate.Point> points(Curve c) {
    return c.points().stream().map(s -> new BdRate.Point(s.bpp(), s.psnr())).toList();
  }

  private static ImageResult result(
      Path file, PixelImage original, long bytes, PixelImage decoded) {
    return new ImageResult(
        file.getFileName().toString(),
        original.width(),
        original.height(),
        bytes,
        QualityMetrics.bpp(bytes, original.width(), original.height()),
        QualityMetrics.psnr(original, decoded),
        QualityMetrics.msssim(original, decoded));
  }

  private static Setting setting(String name, List<ImageResult> results) {
    double bpp = results.stream().mapToDouble(ImageResult::bpp).average().orElse(Double.NaN);
    double psnr = results.stream().mapToDouble(ImageResult::psnr).average().orElse(Double.NaN);
    double msssim = results.stream().mapToDouble(ImageResult::msssim).average().orElse(Double.NaN);
    return new Setting(name, bpp, psnr, msssim, results);
  }
}
