package io.latentstream.trainer.export;

import io.latentstream.trainer.graph.ModelConfig;
import java.util.List;

/**
 * What a manifest says about how a model was made. Immutable.
 *
 * @param parentVersion version of the package this model was fine-tuned from, or null
 */
public record ModelMetadata(
    String name,
    int quality,
    double lambda,
    ModelConfig config,
    String parentVersion,
    long steps,
    int batch,
    String crop,
    List<String> images,
    String command) {

  public ModelMetadata {
    images = List.copyOf(images);
  }
}
