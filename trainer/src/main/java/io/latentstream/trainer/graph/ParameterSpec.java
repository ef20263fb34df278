package io.latentstream.trainer.graph;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;

/**
 * Declares one trainable tensor: its graph name (no {@code /}), shape and how to draw its initial
 * value. Immutable; the initializer must be a pure function of the given {@link Random}.
 */
public record ParameterSpec(String name, long[] shape, Function<Random, float[]> initializer) {

  public ParameterSpec {
    if (name.contains("/")) {
      throw new IllegalArgumentException("TF op names may not contain '/': " + name);
    }
    shape = shape.clone();
  }

  /** Number of elements. */
  public int size() {
    return size(shape);
  }

  /** Number of elements of a shape. */
  public static int size(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return Math.toIntExact(n);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Initial value, drawn from {@code random}. */
  public float[] initialValue(Random random) {
    float[] v = initializer.apply(random);
    if (v.length != size()) {
      throw new IllegalStateException(
          name + ": initializer gave " + v.length + " values for shape " + Arrays.toString(shape));
    }
    return v;
  }

  /** Uniform in [-bound, bound]. */
  public static ParameterSpec uniform(String name, long[] shape, double bound) {
    return new ParameterSpec(
        name,
        shape,
        r -> {
          float[] v = new float[size(shape)];
          for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
          }
          return v;
        });
  }

  /** Every element equal to {@code value}. */
  public static ParameterSpec constant(String name, long[] shape, float value) {
    return new ParameterSpec(
        name,
        shape,
        r -> {
          float[] v = new float[size(shape)];
          Arrays.fill(v, value);
          return v;
        });
  }

  /** A fixed value. */
  public static ParameterSpec fixed(String name, long[] shape, float[] value) {
    float[] copy = value.clone();
    return new ParameterSpec(name, shape, r -> copy.clone());
  }
}
