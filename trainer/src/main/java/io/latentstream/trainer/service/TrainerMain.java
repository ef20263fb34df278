package io.latentstream.trainer.service;

import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.artifacts.ReleaseSignature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./latentstream trainer}: runs the retraining service ({@code --config FILE}), or one of
 * its subcommands: {@code keygen} (an Ed25519 key pair for signing releases), {@code retrain} (one
 * run on the reservoir, then exit), {@code rollback --to VERSION}. SIGTERM/Ctrl-C stops the service
 * after the run in progress.
 */
@Command(
    name = "trainer",
    mixinStandardHelpOptions = true,
    description =
        "Retraining service: samples frames, fine-tunes the current model, promotes it when it is better.",
    subcommands = {
      TrainerMain.Keygen.class,
      TrainerMain.Retrain.class,
      TrainerMain.RollbackCommand.class
    })
public final class TrainerMain implements Callable<Integer> {

  @Option(
      names = "--config",
      description = "Properties file (keys: see SERVICE.md); env LATENTSTREAM_* overrides.")
  Path config;

  @Option(
      names = "--print-config-table",
      description = "Print the configuration keys as a Markdown table.")
  boolean printTable;

  @Override
  public Integer call() throws Exception {
    if (printTable) {
      System.out.print(TrainerServiceConfig.markdownTable());
      return 0;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    TrainerService service;
    try {
      service = TrainerService.start(TrainerServiceConfig.load(config, System.getenv()));
    } catch (ConfigException e) {
      System.err.println("latentstream trainer: cannot start: " + e.getMessage());
      return 2;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  service.close();
                  stopped.countDown();
                },
                "trainer-shutdown"));
    System.err.println(
        "trainer service running; HTTP on " + service.http().baseUri() + " (Ctrl-C stops)");
    stopped.await();
    return 0;
  }

  /**
   * {@code keygen --out FILE}: FILE (private key, PKCS#8 base64, owner-only) and FILE.pub (X.509
   * base64).
   */
  @Command(
      name = "keygen",
      mixinStandardHelpOptions = true,
      description =
          "Write an Ed25519 key pair: FILE (private, for signing.private.key.file) and FILE.pub (for the"
              + " streams app's model.signature.public.key).")
  static final class Keygen implements Callable<Integer> {
    @Option(
        names = "--out",
        required = true,
        description = "Private key file; the public key goes to FILE.pub.")
    Path out;

    @Override
    public Integer call() throws Exception {
      Path pub = Path.of(out + ".pub");
      if (Files.exists(out) || Files.exists(pub)) {
        System.err.println("refusing to overwrite " + out + " or " + pub);
        return 2;
      }
      KeyPair pair = ReleaseSignature.generateKeyPair();
      if (out.toAbsolutePath().getParent() != null) {
        Files.createDirectories(out.toAbsolutePath().getParent());
      }
      try {
        Files.createFile(
            out,
            PosixFilePermissions.asFileAttribute(
                Set.of(
                    java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                    java.nio.file.attribute.PosixFilePermission.OWNER_WRITE)));
      } catch (UnsupportedOperationException e) {
        Files.createFile(out);
      }
      Files.writeString(out, ReleaseSignature.encode(pair.getPrivate()) + "\n");
      Files.writeString(pub, ReleaseSignature.encode(pair.getPublic()) + "\n");
      System.out.println(ReleaseSignature.encode(pair.getPublic()));
      System.err.println("wrote " + out + " (private) and " + pub + " (public; printed above)");
      return 0;
    }
  }

  /**
   * {@code retrain}: one run per model now on the reservoir as it is; exit 0 when each was promoted
   * or kept.
   */
  @Command(
      name = "retrain",
      mixinStandardHelpOptions = true,
      description = "Run one retraining now on the reservoir as it is, print its outcome, exit.")
  static final class Retrain implements Callable<Integer> {
    @Option(names = "--config", description = "Properties file.")
    Path config;

    @Override
    public Integer call() throws Exception {
      com.fasterxml.jackson.databind.ObjectMapper json =
          new com.fasterxml.jackson.databind.ObjectMapper();
      boolean ok = true;
      for (RunStatus status :
          TrainerService.runOnce(TrainerServiceConfig.load(config, System.getenv()))) {
        System.out.println(status.toJson(json).toPrettyString());
        ok &=
            status.state() == RunStatus.State.PROMOTED
                || status.state() == RunStatus.State.KEPT_CHAMPION;
      }
      return ok ? 0 : 1;
    }
  }

  /** {@code rollback --to VERSION}. */
  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description = "Publish an earlier version of the model again as the current release.")
  static final class RollbackCommand implements Callable<Integer> {
    @Option(names = "--config", description = "Properties file.")
    Path config;

    @Option(names = "--to", required = true, description = "The version to make current again.")
    String version;

    @Override
    public Integer call() throws Exception {
      ModelRelease r = Rollback.to(TrainerServiceConfig.load(config, System.getenv()), version);
      System.out.println(
          "published " + r.getVersion() + " as the current release of " + r.getModelName());
      return 0;
    }
  }

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new TrainerMain()).execute(args));
  }
}
