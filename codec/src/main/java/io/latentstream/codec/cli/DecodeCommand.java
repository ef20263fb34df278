package io.latentstream.codec.cli;

import io.latentstream.codec.CodecException;
import io.latentstream.codec.LearnedCodec;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import io.latentstream.codec.model.ModelCatalog;
import io.latentstream.codec.sequence.SequenceDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code decode [--format png|raw] INPUT OUTPUT}: {@code .lsf} file or directory to images. A
 * directory is one stream in name order: KEY frames decode alone, each DELTA against the frame
 * before it.
 */
@Command(
    name = "decode",
    mixinStandardHelpOptions = true,
    description = "Decompress .lsf bitstreams with the model version each one names.")
final class DecodeCommand implements Callable<Integer> {
  enum Format {
    png,
    raw
  }

  @Option(
      names = "--format",
      defaultValue = "png",
      description = "Output format: png or raw (default png).")
  Format format;

  @Parameters(index = "0", description = "Input .lsf file or directory.")
  Path input;

  @Parameters(index = "1", description = "Output file, or directory for a directory input.")
  Path output;

  @Override
  public Integer call() throws Exception {
    List<Path> files = InputFiles.list(input, ".lsf");
    boolean toDirectory = Files.isDirectory(input);
    if (toDirectory) {
      Files.createDirectories(output);
    }
    try (ModelCatalog catalog = ModelCatalog.fromEnvironment()) {
      LearnedCodec codec = new LearnedCodec(null, catalog);
      SequenceDecoder stream = new SequenceDecoder(catalog);
      for (Path file : files) {
        long start = System.nanoTime();
        byte[] bits = Files.readAllBytes(file);
        PixelImage image;
        try {
          image = toDirectory ? stream.decode(bits) : codec.decompress(bits);
        } catch (CodecException e) {
          throw new CodecException(file + ": " + e.getMessage(), e);
        }
        double ms = (System.nanoTime() - start) / 1e6;
        Path target = toDirectory ? output.resolve(InputFiles.stem(file) + "." + format) : output;
        if (format == Format.png) {
          ImageFiles.writePng(image, target);
        } else {
          ImageFiles.writeRaw(image, target);
        }
        System.out.printf(
            "%s -> %s  %dx%d %s  %.1f ms%n",
            file, target, image.width(), image.height(), image.format(), ms);
      }
    }
    return 0;
  }
}
