package io.latentstream.codec.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.baseline.JpegBaseline;
import io.latentstream.codec.entropy.LatentCoder;
import io.latentstream.codec.entropy.RansCoder;
import io.latentstream.codec.entropy.RansTables;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PaddedTensor;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.CodecModel;
import io.latentstream.codec.model.ModelCatalog;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench [--size 640x480] [--frames N] [--runs R] [--out bench.json]}: encode and decode
 * frames per second, entropy coder throughput (v1 rANS and the v2 adaptive KEY coder), and JPEG
 * (ImageIO) encode fps measured in the same run as the anchor; {@code --sequence DIR} instead
 * measures sequence coding ({@link SequenceBench}). Every figure is the median over the runs.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure codec speed on one frame size.")
final class BenchCommand implements Callable<Integer> {
  @Mixin ModelOptions modelOptions = new ModelOptions();

  @Option(
      names = "--size",
      defaultValue = "640x480",
      description = "Frame size (default ${DEFAULT-VALUE}).")
  String size;

  @Option(
      names = "--frames",
      defaultValue = "20",
      description = "Frames per run (default ${DEFAULT-VALUE}).")
  int frames;

  @Option(
      names = "--runs",
      defaultValue = "3",
      description = "Runs; medians are reported (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--image",
      description = "Frame content: this image resized (default: a synthetic pattern).")
  Path image;

  @Option(names = "--out", description = "Write the results as JSON here.")
  Path out;

  @Option(
      names = "--sequence",
      description =
          "Frames of a fixed camera (directory, name order): sequence coding "
              + "(KEY + DELTA) beside per-frame coding, DELTA entropy decoding, random access; frames resized to --size.")
  Path sequence;

  @Override
  public Integer call() throws Exception {
    String[] wh = size.toLowerCase().split("x");
    int w = Integer.parseInt(wh[0]);
    int h = Integer.parseInt(wh[1]);
    PixelImage frame =
        image != null ? ImageFiles.resize(ImageFiles.read(image), w, h) : pattern(w, h);
    Map<String, Object> result = new LinkedHashMap<>();
    if (sequence != null) {
      try (ModelCatalog catalog = ModelCatalog.fromEnvironment()) {
        CodecModel model = catalog.load(modelOptions.model, modelOptions.quality);
        result.put("model", model.version());
        result.put("size", w + "x" + h);
        result.put("runs", runs);
        result.put("cores", Runtime.getRuntime().availableProcessors());
        result.putAll(SequenceBench.run(model, catalog, sequence, w, h, frames, runs));
      }
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      System.out.println(json.writeValueAsString(result));
      if (out != null) {
        json.writeValue(out.toFile(), result);
      }
      return 0;
    }
    try (ModelCatalog catalog = ModelCatalog.fromEnvironment()) {
      CodecModel model = catalog.load(modelOptions.model, modelOptions.quality);
      LearnedCodec codec = new LearnedCodec(model, catalog);
      EncodedImage encoded = codec.compress(frame); // warm-up
      codec.decompress(encoded.bitstream());
      JpegBaseline jpeg = new JpegBaseline();
      jpeg.encode(frame, 75);
      int[] symbols =
          longStream(
              model
                  .entropy()
                  .quantize(
                      model.analyze(PaddedTensor.of(frame, model.manifest().stride())).data()),
              1 << 20);
      RansTables tables = model.entropy().ransTables();
      byte[] payload = RansCoder.encode(symbols, tables);
      int[] frameSymbols =
          model
              .entropy()
              .quantize(model.analyze(PaddedTensor.of(frame, model.manifest().stride())).data());
      int lh = (h + model.manifest().stride() - 1) / model.manifest().stride();
      int lw = (w + model.manifest().stride() - 1) / model.manifest().stride();
      LatentCoder adaptive = model.entropy().latentCoder();
      byte[] keyPayload = adaptive.encodeKey(frameSymbols, lh, lw);
      double[] keyCoderEnc = new double[runs];
      double[] keyCoderDec = new double[runs];
      double[] enc = new double[runs];
      double[] dec = new double[runs];
      double[] jpg = new double[runs];
      double[] ransEnc = new double[runs];
      double[] ransDec = new double[runs];
      for (int r = 0; r < runs; r++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < frames; i++) {
          encoded = codec.compress(frame);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < frames; i++) {
          codec.decompress(encoded.bitstream());
        }
        long t2 = System.nanoTime();
        for (int i = 0; i < frames; i++) {
          jpeg.encode(frame, 75);
        }
        long t3 = System.nanoTime();
        RansCoder.encode(symbols, tables);
        long t4 = System.nanoTime();
        RansCoder.decode(payload, 0, payload.length, new int[symbols.length], tables);
        long t5 = System.nanoTime();
        int reps = Math.max(1, symbols.length / frameSymbols.length);
        for (int i = 0; i < reps; i++) {
          adaptive.encodeKey(frameSymbols, lh, lw);
        }
        long t6 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
          adaptive.decodeKey(
              keyPayload, 0, keyPayload.length, new int[frameSymbols.length], lh, lw);
        }
        long t7 = System.nanoTime();
        keyCoderEnc[r] = (t6 - t5) / 1e9 / reps;
        keyCoderDec[r] = (t7 - t6) / 1e9 / reps;
        enc[r] = frames / ((t1 - t0) / 1e9);
        dec[r] = frames / ((t2 - t1) / 1e9);
        jpg[r] = frames / ((t3 - t2) / 1e9);
        ransEnc[r] = (t4 - t3) / 1e9;
        ransDec[r] = (t5 - t4) / 1e9;
      }
      result.put("model", model.version());
      result.put("size", w + "x" + h);
      result.put("frames", frames);
      result.put("runs", runs);
      result.put("cores", Runtime.getRuntime().availableProcessors());
      result.put("bpp", encoded.bpp());
      result.put("encodeFps", median(enc));
      result.put("decodeFps", median(dec));
      result.put("jpegImageIoEncodeFps", median(jpg));
      Map<String, Object> entropy = new LinkedHashMap<>();
      entropy.put("symbols", symbols.length);
      entropy.put("payloadBytes", payload.length);
      entropy.put("encodeMSymbolsPerSec", symbols.length / median(ransEnc) / 1e6);
      entropy.put("decodeMSymbolsPerSec", symbols.length / median(ransDec) / 1e6);
      entropy.put("encodeOutputMBPerSec", payload.length / median(ransEnc) / 1e6);
      entropy.put("decodeInputMBPerSec", payload.length / median(ransDec) / 1e6);
      entropy.put("encodeSymbolMBPerSec", symbols.length * 4.0 / median(ransEnc) / 1e6);
      entropy.put("decodeSymbolMBPerSec", symbols.length * 4.0 / median(ransDec) / 1e6);
      result.put("entropyCoder", entropy);
      Map<String, Object> key = new LinkedHashMap<>();
      key.put("symbols", frameSymbols.length);
      key.put("payloadBytes", keyPayload.length);
      key.put("v1RansPayloadBytes", RansCoder.encode(frameSymbols, tables).length);
      key.put("encodeMs", median(keyCoderEnc) * 1e3);
      key.put("decodeMs", median(keyCoderDec) * 1e3);
      key.put("encodeMSymbolsPerSec", frameSymbols.length / median(keyCoderEnc) / 1e6);
      key.put("decodeMSymbolsPerSec", frameSymbols.length / median(keyCoderDec) / 1e6);
      result.put("adaptiveKeyCoder", key);
    }
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    System.out.println(json.writeValueAsString(result));
    if (out != null) {
      json.writeValue(out.toFile(), result);
    }
    return 0;
  }

  /**
   * Repeats the frame's symbols to at least {@code min} so the coder timing is not lost in noise.
   */
  private static int[] longStream(int[] q, int min) {
    int copies = Math.max(1, (min + q.length - 1) / q.length);
    int[] out = new int[q.length * copies];
    for (int c = 0; c < copies; c++) {
      System.arraycopy(q, 0, out, c * q.length, q.length);
    }
    return out;
  }

  private static double median(double[] v) {
    return SequenceBench.median(v);
  }

  private static PixelImage pattern(int w, int h) {
    byte[] px = new byte[w * h * 3];
    int o = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        px[o++] = (byte) (128 + 100 * Math.sin(x / 23.0) * Math.cos(y / 17.0));
        px[o++] = (byte) ((x * 255) / Math.max(1, w - 1));
        px[o++] = (byte) (((x ^ y) & 32) != 0 ? 200 : 60);
      }
    }
    return new PixelImage(w, h, PixelFormat.RGB24, px);
  }
}
