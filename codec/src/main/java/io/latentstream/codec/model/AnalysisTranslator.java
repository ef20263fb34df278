package io.latentstream.codec.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import io.latentstream.codec.image.PaddedTensor;

/**
 * Feeds a padded image to the analysis transform g_a as {@code x [1, H, W, 3]} and reads {@code y}
 * by name. The input array must carry the signature's key as its name (a mismatch crashes the JVM:
 * docs/tensorflow-djl.md). Stateless, thread-safe.
 */
final class AnalysisTranslator implements NoBatchifyTranslator<PaddedTensor, Latent> {
  private final ModelManifest.Signature signature;
  private final int stride;
  private final int channels;

  AnalysisTranslator(ModelManifest manifest) {
    this.signature = manifest.encoder();
    this.stride = manifest.stride();
    this.channels = manifest.latentChannels();
  }

  @Override
  public NDList processInput(TranslatorContext ctx, PaddedTensor x) {
    ctx.setAttachment("h", x.height() / stride);
    ctx.setAttachment("w", x.width() / stride);
    return TensorLookup.input(
        ctx, signature.input(), x.data(), new Shape(1, x.height(), x.width(), 3));
  }

  @Override
  public Latent processOutput(TranslatorContext ctx, NDList list) {
    int h = (Integer) ctx.getAttachment("h");
    int w = (Integer) ctx.getAttachment("w");
    float[] y =
        TensorLookup.output(list, signature.output(), new Shape(1, h, w, channels), "analysis");
    return new Latent(y, h, w, channels);
  }
}
