package io.latentstream.codec.cli;

import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.baseline.BaselineCodec;
import io.latentstream.codec.baseline.X264Baseline;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.BdRate;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.ModelCatalog;
import io.latentstream.codec.sequence.DeltaOptions;
import io.latentstream.codec.sequence.KeyframePolicy;
import io.latentstream.codec.sequence.SequenceDecoder;
import io.latentstream.codec.sequence.SequenceEncoder;
import io.latentstream.codec.sequence.SequenceFrame;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code eval --sequence DIR}: the frames of DIR (in name order) as one fixed-camera stream. Per
 * quality level: sequence coding (KEY + DELTA frames) and per-frame coding (every frame a KEY
 * frame) with the learned codec; per frame JPEG and WebP over their quality sweeps; H.264 (x264)
 * over a CRF sweep. Rate = all bytes of all frames x 8 / all pixels; distortion = mean over frames
 * of the RGB PSNR (the same definition for every codec). With {@code --psnr-every N} the streams
 * (sequence coding, x264) still code every frame but PSNR is measured on every Nth, and the
 * per-frame codecs (independent frames) code only every Nth frame. BD-rates of sequence coding
 * against each, a JSON report, an RD plot and a bytes-per-frame plot.
 */
final class SequenceEval {
  private final List<PixelImage> frames;
  private final List<Path> files;
  private final int every;

  /** One point of a curve. */
  record Point(String setting, double bpp, double psnr, long bytes, Integer keyFrames) {}

  /** One codec's curve. */
  record Curve(String codec, List<Point> points) {}

  private SequenceEval(List<Path> files, List<PixelImage> frames, int every) {
    this.files = files;
    this.frames = frames;
    this.every = every;
  }

  static int run(
      Path dir,
      String family,
      int limit,
      Integer maxWidth,
      int every,
      int keyint,
      DeltaOptions options,
      int fps,
      Path out,
      Path plot)
      throws IOException {
    List<Path> files = InputFiles.list(dir, ".png", ".jpg", ".jpeg");
    if (limit > 0 && files.size() > limit) {
      files = files.subList(0, limit);
    }
    List<PixelImage> frames = EvalSupport.readImages(files, maxWidth);
    PixelImage first = frames.get(0);
    System.out.printf(
        "%d frames of %dx%d from %s; PSNR on %s%n",
        frames.size(),
        first.width(),
        first.height(),
        dir,
        every == 1 ? "every frame" : "every " + every + "th frame");
    return new SequenceEval(files, frames, every).evaluate(family, keyint, options, fps, out, plot);
  }

  private int evaluate(
      String family, int keyint, DeltaOptions options, int fps, Path out, Path plot)
      throws IOException {
    List<Curve> curves = new ArrayList<>();
    Map<String, List<Integer>> bytesPerFrame = new LinkedHashMap<>();
    Map<String, List<Boolean>> keyFlags = new LinkedHashMap<>();
    try (ModelCatalog catalog = ModelCatalog.fromEnvironment()) {
      List<Path> packages = EvalSupport.packages(catalog, family);
      List<Point> sequence = new ArrayList<>();
      List<Point> perFrame = new ArrayList<>();
      for (Path pkg : packages) {
        CodecModel m = catalog.loadDirectory(pkg);
        String name = m.manifest().name();
        List<Integer> sizes = new ArrayList<>();
        List<Boolean> keys = new ArrayList<>();
        sequence.add(learned(m, new KeyframePolicy(keyint, 0), options, name, sizes, keys));
        bytesPerFrame.put(name, sizes);
        keyFlags.put(name, keys);
        perFrame.add(perFrame(m, name));
        System.out.printf(
            "%-12s sequence %.4f bpp %.2f dB (%d key frames) | per frame %.4f bpp %.2f dB%n",
            name,
            last(sequence).bpp(),
            last(sequence).psnr(),
            last(sequence).keyFrames(),
            last(perFrame).bpp(),
            last(perFrame).psnr());
      }
      curves.add(new Curve("learned-sequence:" + family, sequence));
      curves.add(new Curve("learned-per-frame:" + family, perFrame));
    }
    for (BaselineCodec b : EvalSupport.perFrameBaselines()) {
      List<Point> points = new ArrayList<>();
      for (int q : b.qualities()) {
        long bytes = 0;
        double psnr = 0;
        int n = 0;
        for (int i = 0;
            i < frames.size();
            i += every) { // independent frames: a uniform subsample estimates both
          BaselineCodec.Result r = b.roundTrip(frames.get(i), q);
          bytes += r.bytes();
          psnr += QualityMetrics.psnr(frames.get(i), r.decoded());
          n++;
        }
        points.add(
            new Point(
                b.name() + "-q" + q,
                bytes * 8.0 / (pixels() * n / frames.size()),
                psnr / n,
                bytes * frames.size() / n,
                null));
      }
      curves.add(new Curve(b.name(), points));
      System.out.printf("%-12s %d qualities done%n", b.name(), points.size());
    }
    X264Baseline.find()
        .ifPresentOrElse(
            x264 -> {
              List<Point> points = new ArrayList<>();
              for (int crf : X264Baseline.CRFS) {
                double[] psnr = {0};
                int[] n = {0};
                long bytes;
                try {
                  bytes =
                      x264.roundTrip(
                          frames,
                          crf,
                          fps,
                          (img, i) -> {
                            if (i % every == 0) {
                              psnr[0] += QualityMetrics.psnr(frames.get(i), img);
                              n[0]++;
                            }
                          });
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
                points.add(
                    new Point(
                        "x264-crf" + crf, bytes * 8.0 / pixels(), psnr[0] / n[0], bytes, null));
                System.out.printf(
                    "x264 crf %d: %.4f bpp %.2f dB%n",
                    crf, last(points).bpp(), last(points).psnr());
              }
              curves.add(new Curve("x264", points));
            },
            () ->
                System.out.println(
                    "x264: no ffmpeg with libx264 on PATH, skipped (Debian package 'ffmpeg')"));

    Map<String, Object> report = new LinkedHashMap<>();
    report.put("frames", frames.size());
    report.put("size", frames.get(0).width() + "x" + frames.get(0).height());
    report.put("first", files.get(0).toString());
    report.put("psnrEvery", every);
    report.put("keyframeInterval", keyint);
    report.put("deltaOptions", options);
    report.put("curves", curves);
    Map<String, Double> bd = new LinkedHashMap<>();
    List<BdRate.Point> seq = points(curves.get(0));
    for (Curve c : curves.subList(1, curves.size())) {
      double v = BdRate.percent(points(c), seq);
      bd.put(c.codec(), Double.isFinite(v) ? v : null);
      System.out.printf(
          "BD-rate %s vs %s: %s%n",
          curves.get(0).codec(),
          c.codec(),
          Double.isFinite(v) ? String.format("%+.1f %%", v) : "n/a (no PSNR overlap)");
    }
    report.put("bdRatePercentOfSequenceVs", bd);
    report.put("bytesPerFrame", bytesPerFrame);
    report.put("keyFrame", keyFlags);
    EvalSupport.writeJson(out, report);
    if (plot != null) {
      Map<String, List<BdRate.Point>> series = new LinkedHashMap<>();
      curves.forEach(c -> series.put(c.codec(), points(c)));
      RdPlot.write(series, plot);
      String name = plot.getFileName().toString();
      Path framesPlot = plot.resolveSibling(name.replaceFirst("(\\.png)?$", "") + "-frames.png");
      FramePlot.write(bytesPerFrame, keyFlags, framesPlot);
      System.out.println("wrote " + plot + " and " + framesPlot);
    }
    return 0;
  }

  private double pixels() {
    return frames.get(0).pixelCount() * (double) frames.size();
  }

  /** Codes the whole stream with one model and policy; PSNR on every {@code every}-th frame. */
  private Point learned(
      CodecModel m,
      KeyframePolicy policy,
      DeltaOptions options,
      String name,
      List<Integer> sizes,
      List<Boolean> keys) {
    SequenceEncoder enc = new SequenceEncoder(m, policy, options);
    SequenceDecoder dec = new SequenceDecoder(LearnedCodec.only(m));
    long bytes = 0;
    double psnr = 0;
    int n = 0;
    int keyFrames = 0;
    for (int i = 0; i < frames.size(); i++) {
      SequenceFrame f = enc.encode(frames.get(i), i, -1);
      bytes += f.bitstream().length;
      keyFrames += f.isKey() ? 1 : 0;
      if (sizes != null) {
        sizes.add(f.bitstream().length);
        keys.add(f.isKey());
      }
      dec.apply(f.bitstream()); // the decoder's own state, so the PSNR is what a receiver sees
      if (i % every == 0) {
        psnr += QualityMetrics.psnr(frames.get(i), dec.image());
        n++;
      }
    }
    return new Point(name, bytes * 8.0 / pixels(), psnr / n, bytes, keyFrames);
  }

  /** Every frame a KEY frame; frames are independent, so the same subsample as JPEG and WebP. */
  private Point perFrame(CodecModel m, String name) {
    LearnedCodec codec = LearnedCodec.of(m);
    long bytes = 0;
    double psnr = 0;
    int n = 0;
    for (int i = 0; i < frames.size(); i += every) {
      byte[] bits = codec.compress(frames.get(i)).bitstream();
      bytes += bits.length;
      psnr += QualityMetrics.psnr(frames.get(i), codec.decompress(bits));
      n++;
    }
    return new Point(
        name,
        bytes * 8.0 / (pixels() * n / frames.size()),
        psnr / n,
        bytes * frames.size() / n,
        frames.size());
  }

  private static Point last(List<Point> p) {
    return p.get(p.size() - 1);
  }

  private static List<BdRate.Point> points(Curve c) {
    return c.points().stream().map(p -> new BdRate.Point(p.bpp(), p.psnr())).toList();
  }
}
