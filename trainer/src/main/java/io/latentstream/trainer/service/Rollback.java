package io.latentstream.trainer.service;

import io.latentstream.schemas.EvaluationMetrics;
import io.latentstream.schemas.ModelRelease;
import io.latentstream.schemas.TrainingDataSummary;
import io.latentstream.schemas.serde.AvroSerde;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code ./latentstream trainer rollback --to VERSION}: publishes an earlier version of the model
 * again as the current (PROMOTED) release, signed like a promotion, chunks re-sent (they may have
 * been deleted since). The package comes from the models directory (the trainer keeps a copy of
 * everything it published) or, failing that, from the artifacts topic through that version's
 * release, if the releases topic still holds it. Metrics and provenance are copied from the
 * version's earlier release when there is one. Streams instances switch back like for any release:
 * they still have the package, so the swap is fast.
 *
 * <p>Stateless; thread-safe.
 */
public final class Rollback {

  private Rollback() {}

  /**
   * @return the release published
   * @throws IllegalArgumentException when the version is unknown
   */
  public static ModelRelease to(TrainerServiceConfig config, String version) throws IOException {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("([a-z0-9][a-z0-9-]*)-\\d{14}-[0-9a-f]{8}")
            .matcher(version);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          version + " is not a package version <name>-<yyyyMMddHHmmss>-<digest:8>");
    }
    String name = m.group(1);
    AvroSerde<ModelRelease> serde = new AvroSerde<>(config.registryClient(), ModelRelease.class);
    ReleaseHistory releases =
        new ReleaseHistory(config, serde.deserializer(), ReleasePublisher.verifyKey(config));
    List<ModelRelease> history = releases.history(name);
    String current = history.isEmpty() ? "(none)" : history.get(history.size() - 1).getVersion();
    Optional<ModelRelease> earlier =
        history.stream().filter(r -> r.getVersion().equals(version)).reduce((a, b) -> b);
    Path local = Path.of(config.getString(TrainerServiceConfig.MODELS_DIR)).resolve(version);
    Path pkg;
    if (Files.isDirectory(local)) {
      pkg = local;
    } else if (earlier.isPresent()) {
      pkg = releases.packageOf(earlier.get());
    } else {
      throw new IllegalArgumentException(
          "version "
              + version
              + " is neither in "
              + local.getParent()
              + " nor on "
              + config.getString(TrainerServiceConfig.TOPIC_RELEASES));
    }
    ModelRelease.Builder release =
        ModelRelease.newBuilder()
            .setStatusReason("rollback to " + version + " (current was " + current + ")");
    if (earlier.isPresent()) {
      ModelRelease e = earlier.get();
      release
          .setMetrics(e.getMetrics())
          .setTrainingData(e.getTrainingData())
          .setCreatedAt(e.getCreatedAt())
          .setParentVersion(e.getParentVersion());
    } else {
      release
          .setMetrics(
              EvaluationMetrics.newBuilder()
                  .setDataset("unknown (rollback to a local package)")
                  .setImageCount(0)
                  .setBpp(Double.NaN)
                  .setPsnr(Double.NaN)
                  .build())
          .setTrainingData(
              TrainingDataSummary.newBuilder()
                  .setSources(List.of())
                  .setImageCount(0)
                  .setSteps(0)
                  .setDescription("rollback to " + version)
                  .build());
    }
    return new ReleasePublisher(config, serde.serializer(), ReleasePublisher.signingKey(config))
        .publish(pkg, release);
  }
}
