package io.latentstream.streams.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.baseline.JpegBaseline;
import io.latentstream.codec.cli.FramePlot;
import io.latentstream.codec.cli.RdPlot;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.metrics.BdRate;
import io.latentstream.codec.metrics.QualityMetrics;
import io.latentstream.streams.feed.CameraFeed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's report: decodes a sample of the latents with the codec, measures PSNR against the
 * frames that were sent, finds for each sampled frame the smallest JPEG of at least the same PSNR
 * (quality by bisection), and writes {@code report.json}, {@code report.html}, the RD plot (one
 * point per model version that encoded the sample, against a JPEG quality sweep of the same frames)
 * and original / decoded thumbnails into one directory.
 *
 * <p>Not thread-safe; one report per instance. The codec passed in is the caller's and is not
 * closed here.
 */
final class DemoReport {

  /** Frames of the sample shown side by side in the HTML page. */
  static final int THUMBNAILS = 4;

  private static final int THUMB_WIDTH = 320;

  /**
   * A frame measured for the report: its bitstream and the picture a consumer decoded from its
   * chain.
   */
  record Sampled(
      int camera, long sequence, byte[] bitstream, String modelVersion, PixelImage decoded) {}

  private final JpegBaseline jpeg = new JpegBaseline();

  /**
   * Measures the sample and writes the report files.
   *
   * @param counts the pipeline figures (frames in, latents out, ...), copied into report.json first
   * @return the whole report as written to report.json
   */
  Map<String, Object> write(
      Path dir,
      Map<String, Object> counts,
      List<Sampled> sample,
      CameraFeed frames,
      LearnedCodec codec)
      throws IOException {
    Files.createDirectories(dir);
    double rawBytes = 3.0 * frames.width() * frames.height();
    double latentBytes = 0;
    double jpegBytes = 0;
    double psnrSum = 0;
    double bppSum = 0;
    double keyBytes = 0; // the same frames coded on their own (every frame a KEY frame)
    double keyPsnrSum = 0;
    List<Map<String, Object>> thumbList = new ArrayList<>();
    List<PixelImage> originals = new ArrayList<>();
    Map<String, double[]> byVersion =
        new LinkedHashMap<>(); // version -> {frames, bpp sum, psnr sum}
    int measured = 0;
    // thumbnails spread over the run (first to last frame sampled), so a model switch shows on the
    // page
    java.util.Set<Integer> thumbAt = new java.util.HashSet<>();
    for (int i = 0; i < THUMBNAILS && !sample.isEmpty(); i++) {
      thumbAt.add(
          THUMBNAILS == 1
              ? 0
              : (int) Math.round(i * (sample.size() - 1) / (double) (THUMBNAILS - 1)));
    }
    for (int index = 0; index < sample.size(); index++) {
      Sampled s = sample.get(index);
      PixelImage original = frames.image(s.camera(), s.sequence());
      PixelImage decoded = s.decoded();
      double psnr = QualityMetrics.psnr(original, decoded);
      long jpegAtEqual = smallestJpegAtLeast(original, psnr);
      // the same frame coded on its own by the model that coded it (loaded from the models the
      // decoders use)
      double[] alone =
          codec
              .resolver()
              .withModel(
                  s.modelVersion(),
                  m -> {
                    LearnedCodec own = LearnedCodec.of(m);
                    byte[] bits = own.compress(original).bitstream();
                    return new double[] {
                      bits.length, QualityMetrics.psnr(original, own.decompress(bits))
                    };
                  });
      keyBytes += alone[0];
      keyPsnrSum += alone[1];
      latentBytes += s.bitstream().length;
      jpegBytes += jpegAtEqual;
      psnrSum += psnr;
      double bpp = QualityMetrics.bpp(s.bitstream().length, original.width(), original.height());
      bppSum += bpp;
      double[] v = byVersion.computeIfAbsent(s.modelVersion(), k -> new double[3]);
      v[0]++;
      v[1] += bpp;
      v[2] += psnr;
      originals.add(original);
      if (thumbAt.contains(index)) {
        String base =
            String.format(Locale.ROOT, "frame-%s-%d", frames.cameraId(s.camera()), s.sequence());
        ImageFiles.writePng(thumbnail(original), dir.resolve(base + "-original.png"));
        ImageFiles.writePng(thumbnail(decoded), dir.resolve(base + "-decoded.png"));
        Map<String, Object> thumb = new LinkedHashMap<>();
        thumb.put("camera", frames.cameraId(s.camera()));
        thumb.put("sequence", s.sequence());
        thumb.put("original", base + "-original.png");
        thumb.put("decoded", base + "-decoded.png");
        thumb.put("psnr", psnr);
        thumb.put("bpp", bpp);
        thumb.put("modelVersion", s.modelVersion());
        thumbList.add(thumb);
      }
      measured++;
    }
    Map<String, Object> report = new LinkedHashMap<>(counts);
    report.put("qualitySampleFrames", measured);
    report.put("meanBpp", measured == 0 ? Double.NaN : bppSum / measured);
    report.put("meanPsnr", measured == 0 ? Double.NaN : psnrSum / measured);
    report.put(
        "compressionRatioVsRaw", measured == 0 ? Double.NaN : rawBytes * measured / latentBytes);
    report.put(
        "compressionRatioVsJpegAtEqualPsnr", measured == 0 ? Double.NaN : jpegBytes / latentBytes);
    report.put(
        "meanJpegBppAtEqualPsnr",
        measured == 0 ? Double.NaN : 8 * jpegBytes / measured / (frames.width() * frames.height()));
    headline(
        report, counts, frames, measured, latentBytes, jpegBytes, psnrSum, keyBytes, keyPsnrSum);
    if (counts.get("bytesPerFrame") instanceof Map<?, ?> sizes && !sizes.isEmpty()) {
      @SuppressWarnings("unchecked")
      Map<String, List<Integer>> bytes = (Map<String, List<Integer>>) sizes;
      @SuppressWarnings("unchecked")
      Map<String, List<Boolean>> keys = (Map<String, List<Boolean>>) counts.get("keyFramePerFrame");
      FramePlot.write(bytes, keys, dir.resolve("frames.png"));
      report.put("framesPlot", "frames.png");
    }

    Map<String, Object> quality = new LinkedHashMap<>();
    Map<String, List<BdRate.Point>> series = new LinkedHashMap<>();
    for (Map.Entry<String, double[]> e : byVersion.entrySet()) {
      double[] v = e.getValue();
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("frames", (int) v[0]);
      q.put("meanBpp", v[1] / v[0]);
      q.put("meanPsnr", v[2] / v[0]);
      quality.put(e.getKey(), q);
      series.put(e.getKey(), List.of(new BdRate.Point(v[1] / v[0], v[2] / v[0])));
    }
    report.put("qualityByModelVersion", quality);
    if (measured > 0) {
      series.put("JPEG (quality sweep)", jpegSweep(originals));
    }
    RdPlot.write(series, dir.resolve("rd.png"));
    report.put("rdPlot", "rd.png");
    report.put("thumbnails", thumbList);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(dir.resolve("report.json").toFile(), report);
    Files.writeString(dir.resolve("report.html"), html(report, thumbList), StandardCharsets.UTF_8);
    return report;
  }

  /**
   * The figures a person reads first: bytes on images.latent against raw RGB, against the same
   * frames coded one by one (every frame a KEY frame, measured on the quality sample with the same
   * model) and against per-frame JPEG at the same PSNR, at the PSNR a consumer sees.
   */
  private static void headline(
      Map<String, Object> report,
      Map<String, Object> counts,
      CameraFeed frames,
      int measured,
      double latentBytes,
      double jpegBytes,
      double psnrSum,
      double keyBytes,
      double keyPsnrSum) {
    Object total = counts.get("latentBytes");
    if (!(total instanceof Long all) || measured == 0) {
      return;
    }
    double perFrame = 3.0 * frames.width() * frames.height();
    long framesOut = ((Number) counts.getOrDefault("latentsOut", 0)).longValue();
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("latentBytes", all);
    h.put("rawBytes", (long) (perFrame * framesOut));
    h.put("percentOfRaw", 100.0 * all / (perFrame * framesOut));
    h.put("psnr", psnrSum / measured);
    // the sample's per-frame costs scaled to every frame out
    double scale = (double) framesOut / measured;
    h.put("percentOfJpegAtEqualPsnr", 100.0 * all / (jpegBytes * scale));
    if (keyBytes > 0) {
      h.put("percentOfPerFrameCoding", 100.0 * all / (keyBytes * scale));
      h.put("perFrameCodingPsnr", keyPsnrSum / measured);
    }
    report.put("headline", h);
  }

  /**
   * Bytes of the smallest JPEG (quality 1..100, by bisection) whose PSNR reaches {@code target}, or
   * of q100.
   */
  private long smallestJpegAtLeast(PixelImage image, double target) throws IOException {
    int lo = 1;
    int hi = 100;
    long best = -1;
    while (lo <= hi) {
      int q = (lo + hi) >>> 1;
      JpegBaseline.Result r = jpeg.roundTrip(image, q);
      if (QualityMetrics.psnr(image, r.decoded()) >= target) {
        best = r.bytes();
        hi = q - 1;
      } else {
        lo = q + 1;
      }
    }
    return best >= 0 ? best : jpeg.roundTrip(image, 100).bytes();
  }

  private List<BdRate.Point> jpegSweep(List<PixelImage> images) throws IOException {
    List<BdRate.Point> points = new ArrayList<>();
    for (int q : jpeg.qualities()) {
      double bpp = 0;
      double psnr = 0;
      for (PixelImage image : images) {
        JpegBaseline.Result r = jpeg.roundTrip(image, q);
        bpp += QualityMetrics.bpp(r.bytes(), image.width(), image.height());
        psnr += QualityMetrics.psnr(image, r.decoded());
      }
      points.add(new BdRate.Point(bpp / images.size(), psnr / images.size()));
    }
    return points;
  }

  private static PixelImage thumbnail(PixelImage image) {
    if (image.width() <= THUMB_WIDTH) {
      return image;
    }
    int h = Math.max(1, image.height() * THUMB_WIDTH / image.width());
    return ImageFiles.resize(image, THUMB_WIDTH, h);
  }

  private static String html(Map<String, Object> r, List<Map<String, Object>> thumbs) {
    StringBuilder b = new StringBuilder();
    b.append(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>latentstream demo report</title>")
        .append(
            "<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 12px;text-align:left}")
        .append("figure{display:inline-block;margin:4px}</style></head><body>\n")
        .append("<h1>latentstream demo</h1>\n");
    if (r.get("headline") instanceof Map<?, ?> h) {
      b.append("<p id=\"headline\" style=\"font-size:1.3em\">")
          .append(
              escape(
                  String.format(
                      Locale.ROOT,
                      "%s frames from %s cameras took %.2f MB on images.latent: %.2f %% of raw RGB",
                      r.get("latentsOut"),
                      r.get("cameras"),
                      ((Number) h.get("latentBytes")).doubleValue() / 1e6,
                      (Double) h.get("percentOfRaw"))));
      if (h.get("percentOfPerFrameCoding") instanceof Double p) {
        b.append(
            escape(
                String.format(
                    Locale.ROOT,
                    ", %.1f %% of the same frames coded one by one (%.2f dB)",
                    p,
                    (Double) h.get("perFrameCodingPsnr"))));
      }
      b.append(
              escape(
                  String.format(
                      Locale.ROOT,
                      " and %.1f %% of JPEG at the same PSNR, at %.2f dB as a consumer"
                          + " decodes them.",
                      (Double) h.get("percentOfJpegAtEqualPsnr"),
                      (Double) h.get("psnr"))))
          .append("</p>\n");
    }
    if (r.containsKey("framesPlot")) {
      b.append(
          "<h2>Bytes per frame</h2>\n<p>Each camera sends a key frame (dots), then delta frames that code only"
              + " what changed.</p>\n<img src=\"frames.png\" alt=\"bytes per frame over time, key frames marked\">\n");
    }
    b.append("<h2>Figures</h2>\n<table>\n");
    for (Map.Entry<String, Object> e : r.entrySet()) {
      if (!LABELS.containsKey(e.getKey())) {
        continue; // the rest is in report.json
      }
      Object v = e.getValue();
      String text =
          v instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : String.valueOf(v);
      b.append("<tr><th>")
          .append(escape(LABELS.get(e.getKey())))
          .append("</th><td>")
          .append(escape(text))
          .append("</td></tr>\n");
    }
    b.append("</table>\n");
    if (r.get("retrainingRuns") instanceof List<?> runs && !runs.isEmpty()) {
      b.append(
              "<h2>Retraining</h2>\n<table>\n<tr><th>run</th><th>status</th><th>duration</th><th>steps</th>")
          .append(
              "<th>champion (held-out)</th><th>challenger (held-out)</th><th>frames encoded by the challenger</th>")
          .append("<th>reason</th></tr>\n");
      for (Object o : runs) {
        @SuppressWarnings("unchecked")
        Map<String, Object> run = (Map<String, Object>) o;
        b.append("<tr><td>")
            .append(escape(String.valueOf(run.get("id"))))
            .append("</td><td>")
            .append(escape(String.valueOf(run.get("status"))))
            .append("</td><td>")
            .append(
                run.get("durationSeconds") instanceof Double d
                    ? String.format(Locale.ROOT, "%.0f s", d)
                    : "")
            .append("</td><td>")
            .append(run.get("steps"))
            .append("</td><td>")
            .append(escape(score(run.get("champion"))))
            .append("</td><td>")
            .append(escape(score(run.get("challenger"))))
            .append("</td><td>")
            .append(run.get("framesEncodedByChallenger"))
            .append("</td><td>")
            .append(escape(run.get("reason") == null ? "" : String.valueOf(run.get("reason"))))
            .append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    b.append(
            "<h2>Rate-distortion</h2>\n<img src=\"rd.png\" alt=\"RD plot: PSNR over bits per pixel\">\n")
        .append("<h2>Original / decoded</h2>\n");
    for (Map<String, Object> t : thumbs) {
      b.append("<div><figure><img src=\"")
          .append(escape((String) t.get("original")))
          .append(
              "\" alt=\"original\"><figcaption>original</figcaption></figure><figure><img src=\"")
          .append(escape((String) t.get("decoded")))
          .append("\" alt=\"decoded\"><figcaption>")
          .append(
              escape(
                  String.format(
                      Locale.ROOT,
                      "decoded: %.3f bpp, %.2f dB (%s)",
                      (Double) t.get("bpp"),
                      (Double) t.get("psnr"),
                      t.get("modelVersion"))))
          .append("</figcaption></figure></div>\n");
    }
    return b.append("</body></html>\n").toString();
  }

  /** "version: bpp, PSNR" of a run's champion or challenger node (a Jackson ObjectNode). */
  private static String score(Object node) {
    if (!(node instanceof com.fasterxml.jackson.databind.JsonNode n)) {
      return "";
    }
    String version = n.path("version").asText("");
    if (!n.has("bpp")) {
      return version;
    }
    return String.format(
        Locale.ROOT,
        "%s: %.3f bpp, %.2f dB",
        version,
        n.path("bpp").asDouble(),
        n.path("psnr").asDouble());
  }

  /**
   * What a person reads for each figure of report.json shown in the page (in report.json's order).
   */
  private static final Map<String, String> LABELS =
      Map.ofEntries(
          Map.entry("date", "run at (UTC)"),
          Map.entry("frameSize", "frame size"),
          Map.entry("cameras", "cameras"),
          Map.entry("framesPerCamera", "frames per camera"),
          Map.entry("footageCamera", "camera playing real footage"),
          Map.entry("framesIn", "frames sent"),
          Map.entry("latentsOut", "frames encoded (images.latent)"),
          Map.entry("keyFrames", "of which key frames"),
          Map.entry("dlqCount", "frames dead-lettered"),
          Map.entry("throughputFps", "throughput (frames/s)"),
          Map.entry("meanBppAllFrames", "bits per pixel, all frames"),
          Map.entry("meanPsnr", "PSNR of the decoded sample (dB)"),
          Map.entry("compressionRatioVsRaw", "smaller than raw RGB (sample), times"),
          Map.entry("framesPerModelVersion", "frames per model version"),
          Map.entry("retraining", "retraining"));

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
