package io.latentstream.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.trainer.graph.ModelConfig;
import io.latentstream.trainer.graph.ParameterValues;
import io.latentstream.trainer.graph.TrainingGraph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageExporterTest {

  static final ModelConfig TINY = new ModelConfig(8, 8, 5, ModelConfig.Nonlinearity.GDN);

  @Test
  void shouldWriteAVerifiablePackageThatDjlRunsLikeTheTrainingGraphWhenExported(@TempDir Path dir)
      throws Exception {
    try (TrainingGraph graph = new TrainingGraph(TINY, 0.0067, 1.0)) {
      graph.initialize(new Random(4));
      ParameterValues state = graph.readState();
      ModelMetadata meta =
          new ModelMetadata(
              "tiny-q2",
              2,
              0.0067,
              TINY,
              null,
              0,
              2,
              "32x32",
              List.of("a.png"),
              "./latentstream train ...");

      Path pkg = new PackageExporter().export(state, meta, dir, graph);

      assertThat(pkg.getFileName().toString()).matches("tiny-q2-\\d{14}-[0-9a-f]{8}");
      JsonNode manifest = new ObjectMapper().readTree(pkg.resolve("manifest.json").toFile());
      assertThat(manifest.get("format").asText()).isEqualTo("latentstream-model/1");
      assertThat(manifest.get("version").asText()).isEqualTo(pkg.getFileName().toString());
      assertThat(manifest.get("latentChannels").asInt()).isEqualTo(8);
      assertThat(manifest.get("stride").asInt()).isEqualTo(16);
      assertThat(manifest.get("files").has("encoder/saved_model.pb")).isTrue();
      assertThat(manifest.get("files").has("decoder/variables/variables.index")).isTrue();
      assertThat(manifest.get("files").has("entropy.json")).isTrue();
      assertThat(Files.list(dir).filter(p -> p.getFileName().toString().startsWith(".staging")))
          .isEmpty();

      ExportVerifier.Report report = new ExportVerifier().verify(pkg, graph);
      assertThat(report.encoderMaxDiff()).isLessThanOrEqualTo(ExportVerifier.TOLERANCE);
      assertThat(report.decoderMaxDiff()).isLessThanOrEqualTo(ExportVerifier.TOLERANCE);

      // The package is a complete starting point for fine-tuning.
      ParameterValues loaded = PackageParameters.load(pkg, TINY);
      for (var spec : graph.parameterSpecs()) {
        assertThat(loaded.get(spec.name()).values())
            .as(spec.name())
            .containsExactly(state.get(spec.name()).values());
      }

      // Any change to a file is detected.
      Files.writeString(pkg.resolve("entropy.json"), "{}");
      assertThatThrownBy(() -> ExportVerifier.verifyFiles(pkg))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("do not match");
    }
  }
}
