package io.latentstream.trainer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.trainer.eval.PackageScore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./latentstream rescore --heldout DIR PACKAGE...}: measures packages on the held-out photos
 * through the codec as it is now and writes the figures into their manifests' {@code metrics} (not
 * covered by the package digest, so the packages stay valid). Needed when the bitstream changes how
 * many bytes the same symbols take, so that {@code eval} keeps reproducing the manifests exactly.
 */
@Command(
    name = "rescore",
    mixinStandardHelpOptions = true,
    description = "Re-measure model packages on held-out photos and update their manifest metrics.")
public final class RescoreCli implements Callable<Integer> {
  @Option(names = "--heldout", required = true, description = "Folder of held-out PNG/JPEG photos.")
  Path heldout;

  @Parameters(arity = "1..*", description = "Model package directories.")
  List<Path> packages;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RescoreCli()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    ObjectMapper json = new ObjectMapper();
    for (Path pkg : packages) {
      JsonNode old = json.readTree(pkg.resolve("manifest.json").toFile()).path("metrics");
      PackageScore.Result r = PackageScore.score(pkg, heldout);
      Double ideal = old.has("idealBpp") ? old.get("idealBpp").asDouble() : null;
      PackageScore.writeMetrics(pkg, r, ideal);
      System.out.printf(
          "%s: bpp %.4f -> %.4f, PSNR %.2f -> %.2f dB, MS-SSIM %.4f%n",
          pkg.getFileName(),
          old.path("bpp").asDouble(Double.NaN),
          r.bpp(),
          old.path("psnr").asDouble(Double.NaN),
          r.psnr(),
          r.msssim());
    }
    return 0;
  }
}
