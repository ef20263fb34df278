package io.latentstream.codec.baseline;

import io.latentstream.codec.image.ContainerFormat;
import io.latentstream.codec.image.ImageFiles;
import io.latentstream.codec.image.PixelImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * WebP through the {@code cwebp}/{@code dwebp} tools (Debian package {@code webp}) when they are on
 * the PATH; {@link #find()} is empty otherwise so callers skip it. Each call works in its own
 * temporary directory: thread-safe.
 */
public final class WebpBaseline implements BaselineCodec {
  private static final List<Integer> QUALITIES = List.of(10, 20, 30, 40, 50, 60, 70, 80, 90, 95);
  private final Path cwebp;
  private final Path dwebp;

  private WebpBaseline(Path cwebp, Path dwebp) {
    this.cwebp = cwebp;
    this.dwebp = dwebp;
  }

  /** The baseline if both tools are on the PATH. */
  public static Optional<WebpBaseline> find() {
    Optional<Path> c = onPath("cwebp");
    Optional<Path> d = onPath("dwebp");
    return c.isPresent() && d.isPresent()
        ? Optional.of(new WebpBaseline(c.get(), d.get()))
        : Optional.empty();
  }

  private static Optional<Path> onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  @Override
  public String name() {
    return "webp";
  }

  @Override
  public List<Integer> qualities() {
    return QUALITIES;
  }

  @Override
  public Result roundTrip(PixelImage image, int quality) throws IOException {
    Path dir = Files.createTempDirectory("webp");
    try {
      Path in = dir.resolve("in.png");
      Path webp = dir.resolve("out.webp");
      Path out = dir.resolve("out.png");
      ImageFiles.writePng(image, in);
      run(
          cwebp.toString(),
          "-quiet",
          "-q",
          Integer.toString(quality),
          in.toString(),
          "-o",
          webp.toString());
      run(dwebp.toString(), "-quiet", webp.toString(), "-o", out.toString()); // PNG is the default
      PixelImage decoded = ImageFiles.read(out);
      return new Result(Files.size(webp), Conversions.like(decoded, image, ContainerFormat.RAW));
    } finally {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void run(String... cmd) throws IOException {
    List<String> command = new ArrayList<>(List.of(cmd));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      byte[] output = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + new String(output));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
  }
}
