package io.latentstream.codec.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.latentstream.codec.CodecException;

/**
 * Finds a model output by its signature key; DJL's TensorFlow engine names outputs after their
 * keys.
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
}
