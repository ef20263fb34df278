package io.latentstream.codec.model;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Predictors of one shared model, one per concurrent caller: a caller borrows one for the duration
 * of a call and returns it, so there are never more predictors than threads that called at the same
 * time. DJL creates a fresh NDManager per {@code predict}, which frees the native tensors of each
 * call. Thread-safe; {@link #close} must only run when no call is in flight ({@link CodecModel}
 * guarantees that).
 */
final class PredictorPool<I, O> implements AutoCloseable {
  private final ZooModel<I, O> model;
  private final ConcurrentLinkedDeque<Predictor<I, O>> idle = new ConcurrentLinkedDeque<>();

  PredictorPool(ZooModel<I, O> model) {
    this.model = model;
  }

  O predict(I input) throws TranslateException {
    Predictor<I, O> predictor = idle.pollFirst();
    if (predictor == null) {
      predictor = model.newPredictor();
    }
    try {
      return predictor.predict(input);
    } finally {
      idle.addFirst(predictor);
    }
  }

  @Override
  public void close() {
    for (Predictor<I, O> p; (p = idle.pollFirst()) != null; ) {
      p.close();
    }
  }
}
