package io.latentstream.codec.cli;

import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.ModelCatalog;
import io.latentstream.codec.sequence.KeyframePolicy;
import io.latentstream.codec.sequence.SequenceEncoder;
import io.latentstream.codec.sequence.SequenceFrame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code encode [--model M] [--quality N] INPUT OUTPUT}: image file or directory to {@code .lsf}
 * (KEY frames); {@code encode --sequence [--keyframe-interval N] IN_DIR OUT_DIR}: the frames of
 * IN_DIR in name order as one stream of KEY and DELTA frames, one {@code .lsf} per frame with the
 * same base name.
 */
@Command(
    name = "encode",
    mixinStandardHelpOptions = true,
    description = "Compress PNG/JPEG (or raw with --raw) images to .lsf bitstreams.")
final class EncodeCommand implements Callable<Integer> {
  @Option(
      names = "--sequence",
      description =
          "Code the directory's frames (name order) as one stream: KEY and " + "DELTA frames.")
  boolean sequence;

  @Mixin SequenceOptions sequenceOptions = new SequenceOptions();

  @Mixin ModelOptions modelOptions = new ModelOptions();

  @Option(names = "--raw", description = "Input is raw pixels of this size, e.g. 640x480.")
  String raw;

  @Option(
      names = "--pixel-format",
      defaultValue = "RGB24",
      description = "Raw pixel format: RGB24 or GRAY8.")
  PixelFormat pixelFormat;

  @Parameters(index = "0", description = "Input image file or directory.")
  Path input;

  @Parameters(index = "1", description = "Output .lsf file, or directory for a directory input.")
  Path output;

  @Override
  public Integer call() throws Exception {
    List<Path> files = InputFiles.list(input, ".png", ".jpg", ".jpeg", ".raw", ".rgb", ".gray");
    boolean toDirectory = Files.isDirectory(input);
    if (sequence && !toDirectory) {
      throw new IOException("--sequence needs a directory of frames, not " + input);
    }
    if (toDirectory) {
      Files.createDirectories(output);
    }
    if (sequence) {
      return encodeSequence(files);
    }
    try (ModelCatalog catalog = ModelCatalog.fromEnvironment()) {
      LearnedCodec codec =
          new LearnedCodec(catalog.load(modelOptions.model, modelOptions.quality), catalog);
      for (Path file : files) {
        PixelImage image = read(file);
        long start = System.nanoTime();
        EncodedImage encoded = codec.compress(image);
        double ms = (System.nanoTime() - start) / 1e6;
        Path target = toDirectory ? output.resolve(InputFiles.stem(file) + ".lsf") : output;
        Files.write(target, encoded.bitstream());
        System.out.printf(
            "%s -> %s  %dx%d  %d bytes  %.4f bpp  %.1f ms  (%s)%n",
            file,
            target,
            image.width(),
            image.height(),
            encoded.bitstream().length,
            encoded.bpp(),
            ms,
            encoded.modelVersion());
      }
    }
    return 0;
  }

  private int encodeSequence(List<Path> files) throws Exception {
    try (ModelCatalog catalog = ModelCatalog.fromEnvironment()) {
      SequenceEncoder encoder =
          new SequenceEncoder(
              catalog.load(modelOptions.model, modelOptions.quality),
              new KeyframePolicy(sequenceOptions.keyframeInterval, 0),
              sequenceOptions.deltaOptions());
      long total = 0;
      long pixels = 0;
      int keys = 0;
      for (int i = 0; i < files.size(); i++) {
        Path file = files.get(i);
        PixelImage image = read(file);
        long start = System.nanoTime();
        SequenceFrame f = encoder.encode(image, i, -1);
        double ms = (System.nanoTime() - start) / 1e6;
        Path target = output.resolve(InputFiles.stem(file) + ".lsf");
        Files.write(target, f.bitstream());
        total += f.bitstream().length;
        pixels += image.pixelCount();
        keys += f.isKey() ? 1 : 0;
        System.out.printf(
            "%s -> %s  %s%s  %d bytes  %.4f bpp  %.1f ms%n",
            file,
            target,
            f.type(),
            f.isKey() ? " (" + f.cause() + ")" : "",
            f.bitstream().length,
            f.bpp(),
            ms);
      }
      System.out.printf(
          "%d frames (%d key frames), %d bytes, %.4f bpp (%s)%n",
          files.size(), keys, total, total * 8.0 / Math.max(1, pixels), encoder.model().version());
    }
    return 0;
  }

  private PixelImage read(Path file) throws Exception {
    if (raw == null) {
      return ImageFiles.read(file);
    }
    String[] wh = raw.toLowerCase().split("x");
    if (wh.length != 2) {
      throw new IllegalArgumentException("--raw must be WIDTHxHEIGHT");
    }
    return ImageFiles.readRaw(file, Integer.parseInt(wh[0]), Integer.parseInt(wh[1]), pixelFormat);
  }
}
