package io.latentstream.trainer.graph;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named float tensors in insertion order (weights, optimizer slots): what a checkpoint stores and
 * an exporter reads. Not thread-safe; the arrays are shared, not copied.
 */
public final class ParameterValues {

  /** One tensor: shape and row-major values. */
  public record Entry(long[] shape, float[] values) {
    public Entry {
      if (ParameterSpec.size(shape) != values.length) {
        throw new IllegalArgumentException("shape does not match " + values.length + " values");
      }
    }
  }

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  /** Adds or replaces a tensor. */
  public ParameterValues put(String name, long[] shape, float[] values) {
    entries.put(name, new Entry(shape.clone(), values));
    return this;
  }

  /** The tensor named {@code name}, or throws naming it. */
  public Entry get(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException("no parameter named " + name);
    }
    return e;
  }

  /** Whether a tensor named {@code name} exists. */
  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  /** All tensors, in insertion order (read-only view). */
  public Map<String, Entry> entries() {
    return Collections.unmodifiableMap(entries);
  }
}
