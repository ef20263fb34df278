package io.latentstream.codec.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslatorContext;
import io.latentstream.codec.CodecException;
import java.nio.FloatBuffer;

/**
 * Names a transform's input and finds its output by their signature keys (DJL's TensorFlow engine
 * names outputs after their keys), and checks the output's shape.
 */
final class TensorLookup {
  private TensorLookup() {}

  static NDArray byName(NDList list, String name) {
    NDArray found = list.get(name);
    if (found != null) {
      return found;
    }
    if (list.size() == 1) {
      return list.singletonOrThrow();
    }
    throw new CodecException(
        "model output '" + name + "' not found among " + list.size() + " outputs");
  }

  /** {@code data} as the input tensor {@code name} of {@code shape}. */
  static NDList input(TranslatorContext ctx, String name, float[] data, Shape shape) {
    NDArray array = ctx.getNDManager().create(FloatBuffer.wrap(data), shape);
    array.setName(name);
    return new NDList(array);
  }

  /**
   * The values of output {@code name}, which must have the {@code expected} shape.
   *
   * @param transform the transform that produced it, for the message
   * @throws CodecException when it is missing or has another shape
   */
  static float[] output(NDList list, String name, Shape expected, String transform) {
    NDArray out = byName(list, name);
    if (!out.getShape().equals(expected)) {
      throw new CodecException(
          transform + " transform returned " + out.getShape() + ", expected " + expected);
    }
    return out.toFloatArray();
  }
}
