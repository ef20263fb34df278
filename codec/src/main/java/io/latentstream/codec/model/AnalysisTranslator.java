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
    NDArray array =
        ctx.getNDManager()
            .create(FloatBuffer.wrap(x.data()), new Shape(1, x.height(), x.width(), 3));
    array.setName(signature.input());
    ctx.setAttachment("h", x.height() / stride);
    ctx.setAttachment("w", x.width() / stride);
    return new NDList(array);
  }

  @Override
  public Latent processOutput(TranslatorContext ctx, NDList list) {
    NDArray y = TensorLookup.byName(list, signature.output());
    int h = (Integer) ctx.getAttachment("h");
    int w = (Integer) ctx.getAttachment("w");
    Shape expected = new Shape(1, h, w, channels);
    if (!y.getShape().equals(expected)) {
      throw new CodecException(
          "analysis transform returned " + y.getShape() + ", expected " + expected);
    }
    return new Latent(y.toFloatArray(), h, w, channels);
  }
}
