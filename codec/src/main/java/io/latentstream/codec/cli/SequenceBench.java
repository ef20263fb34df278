package io.latentstream.codec.cli;

import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.ModelResolver;
import io.latentstream.codec.sequence.DeltaOptions;
import io.latentstream.codec.sequence.KeyframePolicy;
import io.latentstream.codec.sequence.SequenceDecoder;
import io.latentstream.codec.sequence.SequenceEncoder;
import io.latentstream.codec.sequence.SequenceFrame;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench --sequence DIR}: speed of sequence coding beside per-frame coding on the same frames
 * in the same run (runs alternate), DELTA entropy decoding alone, the cost of random access to the
 * 30th and 300th frame after a key frame (entropy-decode the chain, one synthesis), and DELTA
 * quality on a static scene (the first frame held still with fresh sensor noise).
 */
final class SequenceBench {
  private SequenceBench() {}

  static Map<String, Object> run(
      CodecModel model,
      ModelResolver resolver,
      Path dir,
      int width,
      int height,
      int frames,
      int runs)
      throws IOException {
    List<Path> files = InputFiles.list(dir, ".png", ".jpg", ".jpeg");
    List<PixelImage> clip = new ArrayList<>();
    for (Path f : files.subList(0, Math.min(files.size(), Math.max(frames, 301)))) {
      PixelImage p = ImageFiles.read(f);
      clip.add(
          p.width() == width && p.height() == height ? p : ImageFiles.resize(p, width, height));
    }
    List<PixelImage> timed = clip.subList(0, Math.min(frames, clip.size()));
    LearnedCodec codec = new LearnedCodec(model, resolver);
    KeyframePolicy policy = KeyframePolicy.DEFAULT;
    // warm-up: both paths once
    codec.decompress(codec.compress(timed.get(0)).bitstream());
    encodeSequence(model, policy, timed.subList(0, Math.min(5, timed.size())));

    double[] keyEnc = new double[runs];
    double[] keyDec = new double[runs];
    double[] seqEnc = new double[runs];
    double[] seqDec = new double[runs];
    double[] deltaEntropy = new double[runs];
    long keyBytes = 0;
    long seqBytes = 0;
    int deltas = 0;
    for (int r = 0; r < runs; r++) {
      long t0 = System.nanoTime();
      List<byte[]> keys = new ArrayList<>();
      for (PixelImage f : timed) {
        EncodedImage e = codec.compress(f);
        keys.add(e.bitstream());
      }
      long t1 = System.nanoTime();
      for (byte[] b : keys) {
        codec.decompress(b);
      }
      long t2 = System.nanoTime();
      List<SequenceFrame> seq = encodeSequence(model, policy, timed);
      long t3 = System.nanoTime();
      SequenceDecoder dec = new SequenceDecoder(resolver);
      for (SequenceFrame f : seq) {
        dec.decode(f.bitstream());
      }
      long t4 = System.nanoTime();
      SequenceDecoder entropyOnly = new SequenceDecoder(resolver);
      long deltaNanos = 0;
      deltas = 0;
      for (SequenceFrame f : seq) {
        long s = System.nanoTime();
        entropyOnly.apply(f.bitstream());
        if (!f.isKey()) {
          deltaNanos += System.nanoTime() - s;
          deltas++;
        }
      }
      keyEnc[r] = timed.size() / ((t1 - t0) / 1e9);
      keyDec[r] = timed.size() / ((t2 - t1) / 1e9);
      seqEnc[r] = timed.size() / ((t3 - t2) / 1e9);
      seqDec[r] = timed.size() / ((t4 - t3) / 1e9);
      deltaEntropy[r] = deltas == 0 ? Double.NaN : deltas / (deltaNanos / 1e9);
      keyBytes = keys.stream().mapToLong(b -> b.length).sum();
      seqBytes = seq.stream().mapToLong(f -> f.bitstream().length).sum();
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("footage", dir.toString());
    result.put("frames", timed.size());
    result.put(
        "perFrame",
        ordered(
            "encodeFps",
            median(keyEnc),
            "decodeFps",
            median(keyDec),
            "bpp",
            keyBytes * 8.0 / (timed.size() * (double) width * height)));
    result.put(
        "sequence",
        ordered(
            "encodeFps",
            median(seqEnc),
            "decodeFps",
            median(seqDec),
            "bpp",
            seqBytes * 8.0 / (timed.size() * (double) width * height),
            "deltaFrames",
            deltas));
    result.put("sequenceEncodeFpsRatio", ratio(seqEnc, keyEnc));
    result.put("sequenceDecodeFpsRatio", ratio(seqDec, keyDec));
    result.put("deltaEntropyDecodeFps", median(deltaEntropy));
    result.put("randomAccessMs", randomAccess(model, resolver, clip, runs));
    result.put("staticScene", staticScene(model, resolver, clip.get(0)));
    return result;
  }

  /**
   * The footage's first frame held still for 30 frames with fresh sensor noise (uniform +-3 per
   * sample) in each: the KEY frame's PSNR and bytes against the DELTA frames' mean, as a receiver
   * decodes them.
   */
  private static Map<String, Object> staticScene(
      CodecModel model, ModelResolver resolver, PixelImage still) {
    SequenceEncoder enc = new SequenceEncoder(model, KeyframePolicy.DEFAULT, DeltaOptions.DEFAULT);
    SequenceDecoder dec = new SequenceDecoder(resolver);
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
    int n = 30;
    double keyPsnr = 0;
    double deltaPsnr = 0;
    long keyBytes = 0;
    long deltaBytes = 0;
    for (int t = 0; t < n; t++) {
      byte[] px = still.pixels().clone();
      for (int i = 0; i < px.length; i++) {
        px[i] = (byte) Math.max(0, Math.min(255, (px[i] & 0xff) + rnd.nextInt(7) - 3));
      }
      PixelImage frame = new PixelImage(still.width(), still.height(), still.format(), px);
      SequenceFrame f = enc.encode(frame, t, -1);
      double psnr =
          io.latentstream.codec.metrics.QualityMetrics.psnr(frame, dec.decode(f.bitstream()));
      if (f.isKey()) {
        keyPsnr = psnr;
        keyBytes = f.bitstream().length;
      } else {
        deltaPsnr += psnr / (n - 1);
        deltaBytes += f.bitstream().length;
      }
    }
    return ordered(
        "frames",
        n,
        "keyPsnr",
        keyPsnr,
        "keyBytes",
        keyBytes,
        "deltaMeanPsnr",
        deltaPsnr,
        "deltaMeanBytes",
        deltaBytes / (double) (n - 1),
        "deltaMinusKeyDb",
        deltaPsnr - keyPsnr);
  }

  private static Map<String, Object> ordered(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  private static List<SequenceFrame> encodeSequence(
      CodecModel model, KeyframePolicy policy, List<PixelImage> frames) {
    SequenceEncoder enc = new SequenceEncoder(model, policy, DeltaOptions.DEFAULT);
    List<SequenceFrame> out = new ArrayList<>(frames.size());
    for (int i = 0; i < frames.size(); i++) {
      out.add(enc.encode(frames.get(i), i, -1));
    }
    return out;
  }

  /**
   * Milliseconds to decode frame key+n from scratch: KEY, n DELTAs (entropy only), one synthesis.
   */
  private static Map<String, Object> randomAccess(
      CodecModel model, ModelResolver resolver, List<PixelImage> clip, int runs) {
    Map<String, Object> out = new LinkedHashMap<>();
    SequenceEncoder enc =
        new SequenceEncoder(model, new KeyframePolicy(Integer.MAX_VALUE, 0), DeltaOptions.DEFAULT);
    List<byte[]> chain = new ArrayList<>();
    for (int i = 0; i < clip.size(); i++) {
      chain.add(enc.encode(clip.get(i), i, -1).bitstream());
    }
    double[] key = new double[runs];
    for (int r = 0; r < runs; r++) {
      long s = System.nanoTime();
      new SequenceDecoder(resolver).decode(chain.get(0));
      key[r] = (System.nanoTime() - s) / 1e6;
    }
    out.put("keyFrameOnly", median(key));
    for (int n : new int[] {30, 300}) {
      if (n >= chain.size()) {
        out.put("frame" + n, null);
        continue;
      }
      double[] t = new double[runs];
      for (int r = 0; r < runs; r++) {
        long s = System.nanoTime();
        SequenceDecoder d = new SequenceDecoder(resolver);
        for (int i = 0; i <= n; i++) {
          d.apply(chain.get(i));
        }
        d.image();
        t[r] = (System.nanoTime() - s) / 1e6;
      }
      out.put("frame" + n, median(t));
    }
    return out;
  }

  private static double ratio(double[] a, double[] b) {
    double[] r = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[i] / b[i];
    }
    return median(r);
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
