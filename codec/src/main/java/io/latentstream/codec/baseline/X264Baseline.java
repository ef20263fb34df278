package io.latentstream.codec.baseline;

import io.latentstream.codec.image.ContainerFormat;
import io.latentstream.codec.image.PixelFormat;
import io.latentstream.codec.image.PixelImage;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ObjIntConsumer;

/**
 * H.264 through {@code ffmpeg} with libx264 (Debian package ffmpeg): the yardstick for sequences.
 * Frames go in as raw RGB24 over a pipe, x264 runs with its defaults (preset medium, GOP 250,
 * yuv420p) at a given CRF, the Annex-B elementary stream is counted byte for byte (no container),
 * and ffmpeg decodes it back to RGB24 for the same PSNR as every other codec. Odd sizes are padded
 * to even for yuv420p and cropped back.
 */
public final class X264Baseline {
  /** The CRF sweep of {@code eval --sequence}: from near-transparent to very coarse. */
  public static final List<Integer> CRFS = List.of(18, 23, 28, 33, 38, 43, 48);

  private final Path ffmpeg;

  private X264Baseline(Path ffmpeg) {
    this.ffmpeg = ffmpeg;
  }

  /** The baseline when an ffmpeg with libx264 is on the PATH. */
  public static Optional<X264Baseline> find() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, "ffmpeg");
      if (Files.isExecutable(p) && hasLibx264(p)) {
        return Optional.of(new X264Baseline(p));
      }
    }
    return Optional.empty();
  }

  private static boolean hasLibx264(Path ffmpeg) {
    try {
      Process p =
          new ProcessBuilder(ffmpeg.toString(), "-hide_banner", "-encoders")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes());
      return p.waitFor(30, TimeUnit.SECONDS) && out.contains("libx264");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** ffmpeg, quiet but for errors and never reading the terminal, with {@code args}. */
  private ProcessBuilder ffmpeg(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(ffmpeg.toString(), "-hide_banner", "-loglevel", "error", "-nostdin"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  /**
   * Codes {@code frames} (same size, RGB24 or GRAY8) as one H.264 stream at {@code crf}, hands each
   * decoded frame with its index to {@code decoded} (in the original's pixel format), and returns
   * the stream's bytes.
   */
  public long roundTrip(
      List<PixelImage> frames, int crf, int fps, ObjIntConsumer<PixelImage> decoded)
      throws IOException {
    PixelImage first = frames.get(0);
    int w = first.width();
    int h = first.height();
    Path dir = Files.createTempDirectory("x264");
    Path stream = dir.resolve("out.h264");
    try {
      String pad = "pad=ceil(iw/2)*2:ceil(ih/2)*2";
      Process enc =
          ffmpeg(
                  "-y",
                  "-f",
                  "rawvideo",
                  "-pix_fmt",
                  "rgb24",
                  "-s",
                  w + "x" + h,
                  "-r",
                  Integer.toString(fps),
                  "-i",
                  "pipe:0",
                  "-vf",
                  pad,
                  "-c:v",
                  "libx264",
                  "-crf",
                  Integer.toString(crf),
                  "-pix_fmt",
                  "yuv420p",
                  "-f",
                  "h264",
                  stream.toString())
              .redirectErrorStream(true)
              .start();
      CompletableFuture<byte[]> log = drain(enc.getInputStream());
      try (OutputStream in = enc.getOutputStream()) {
        for (PixelImage f : frames) {
          in.write(rgb(f));
        }
      }
      finish(enc, log, "x264 encode");
      long bytes = Files.size(stream);
      Process dec =
          ffmpeg(
                  "-i",
                  stream.toString(),
                  "-vf",
                  "crop=" + w + ":" + h + ":0:0",
                  "-f",
                  "rawvideo",
                  "-pix_fmt",
                  "rgb24",
                  "pipe:1")
              .start();
      CompletableFuture<byte[]> err = drain(dec.getErrorStream());
      try (InputStream out = dec.getInputStream()) {
        for (int i = 0; i < frames.size(); i++) {
          PixelImage f = frames.get(i);
          byte[] px = out.readNBytes(w * h * 3);
          if (px.length != w * h * 3) {
            throw new IOException("x264 decode returned " + i + " of " + frames.size() + " frames");
          }
          PixelImage rgb = new PixelImage(w, h, PixelFormat.RGB24, px, ContainerFormat.RAW);
          decoded.accept(Conversions.like(rgb, f, ContainerFormat.RAW), i);
        }
        out.transferTo(OutputStream.nullOutputStream());
      }
      finish(dec, err, "x264 decode");
      return bytes;
    } finally {
      Files.deleteIfExists(stream);
      Files.deleteIfExists(dir);
    }
  }

  private static byte[] rgb(PixelImage f) {
    if (f.format() == PixelFormat.RGB24) {
      return f.pixels();
    }
    byte[] px = new byte[f.width() * f.height() * 3];
    for (int i = 0; i < f.width() * f.height(); i++) {
      px[3 * i] = px[3 * i + 1] = px[3 * i + 2] = f.pixels()[i];
    }
    return px;
  }

  private static CompletableFuture<byte[]> drain(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return in.readAllBytes();
          } catch (IOException e) {
            return new byte[0];
          }
        });
  }

  private static void finish(Process p, CompletableFuture<byte[]> output, String what)
      throws IOException {
    try {
      if (!p.waitFor(600, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(what + " timed out");
      }
      if (p.exitValue() != 0) {
        throw new IOException(what + " failed: " + new String(output.join()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
  }
}
