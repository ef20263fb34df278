package io.latentstream.codec.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import io.latentstream.codec.CodecException;
import io.latentstream.codec.image.PaddedTensor;
import java.nio.FloatBuffer;

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
    NDArray array =
        ctx.getNDManager()
            .create(
                FloatBuffer.wrap(yHat.data()),
                new Shape(1, yHat.height(), yHat.width(), yHat.channels()));
    array.setName(signature.input());
    ctx.setAttachment("h", yHat.height() * stride);
    ctx.setAttachment("w", yHat.width() * stride);
    return new NDList(array);
  }

  @Override
  public PaddedTensor processOutput(TranslatorContext ctx, NDList list) {
    NDArray xHat = TensorLookup.byName(list, signature.output());
    int h = (Integer) ctx.getAttachment("h");
    int w = (Integer) ctx.getAttachment("w");
    Shape expected = new Shape(1, h, w, 3);
    if (!xHat.getShape().equals(expected)) {
      throw new CodecException(
          "synthesis transform returned " + xHat.getShape() + ", expected " + expected);
    }
    return new PaddedTensor(xHat.toFloatArray(), h, w);
  }
}
