package io.latentstream.codec.cli;

import io.latentstream.codec.EncodedImage;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.ModelCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code encode [--model M] [--quality N] INPUT OUTPUT}: image file or directory to {@code .lsf}. */
@Command(name = "encode", mixinStandardHelpOptions = true,
    description = "Compress PNG/JPEG (or raw with --raw) images to .lsf bitstreams.")
final class EncodeCommand implements Callable<Integer> {
  @Mixin
  ModelOptions modelOptions = new ModelOptions();

  @Option(names = "--raw", description = "Input is raw pixels of this size, e.g. 640x480.")
  String raw;

  @Option(names = "--pixel-format", defaultValue = "RGB24", description = "Raw pixel format: RGB24 or GRAY8.")
  PixelFormat pixelFormat;

  @Parameters(index = "0", description = "Input image file or directory.")
  Path input;

  @Parameters(index = "1", description = "Output .lsf file, or directory for a directory input.")
  Path output;

  @Override
  public Integer call() throws Exception {
    List<Path> files = InputFiles.list(input, ".png", ".jpg", ".jpeg", ".raw", ".rgb", ".gray");
    boolean toDirectory = Files.isDirectory(input);
    if (toDirectory) {
      Files.createDirectories(output);
    }
    try (ModelCatalog catalog = ModelCatalog.fromEnvironment()) {
      LearnedCodec codec = new LearnedCodec(catalog.load(modelOptions.model, modelOptions.quality), catalog);
      for (Path file : files) {
        PixelImage image = read(file);
        long start = System.nanoTime();
        EncodedImage encoded = codec.compress(image);
        double ms = (System.nanoTime() - start) / 1e6;
        Path target = toDirectory ? output.resolve(InputFiles.stem(file) + ".lsf") : output;
        Files.write(target, encoded.bitstream());
        System.out.printf("%s -> %s  %dx%d  %d bytes  %.4f bpp  %.1f ms  (%s)%n", file, target, image.width(),
            image.height(), encoded.bitstream().length, encoded.bpp(), ms, encoded.modelVersion());
      }
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
