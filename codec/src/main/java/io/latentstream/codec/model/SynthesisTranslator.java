package io.latentstream.codec.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import io.latentstream.codec.image.PaddedTensor;

/**
 * Feeds quantized latents to the synthesis transform g_s as {@code y_hat [1, h, w, M]} and reads
 * {@code x_hat} by name; the caller clips and crops. Stateless, thread-safe.
 */
final class SynthesisTranslator implements NoBatchifyTranslator<Latent, PaddedTensor> {
  private final ModelManifest.Signature signature;
  private final int stride;

  SynthesisTranslator(ModelManifest manifest) {
    this.signature = manifest.decoder();
    this.stride = manifest.stride();
  }

  @Override
  public NDList processInput(TranslatorContext ctx, Latent yHat) {
    ctx.setAttachment("h", yHat.height() * stride);
    ctx.setAttachment("w", yHat.width() * stride);
    return TensorLookup.input(
        ctx,
        signature.input(),
        yHat.data(),
        new Shape(1, yHat.height(), yHat.width(), yHat.channels()));
  }

  @Override
  public PaddedTensor processOutput(TranslatorContext ctx, NDList list) {
    int h = (Integer) ctx.getAttachment("h");
    int w = (Integer) ctx.getAttachment("w");
    float[] xHat =
        TensorLookup.output(list, signature.output(), new Shape(1, h, w, 3), "synthesis");
    return new PaddedTensor(xHat, h, w);
  }
}
