package io.latentstream.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentstream.trainer.graph.ModelConfig;
import io.latentstream.trainer.graph.ParameterSpec;
import io.latentstream.trainer.graph.ParameterValues;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * A training checkpoint in a run directory: {@code checkpoint.json} (step, seed, architecture,
 * lambda and an index of tensors) plus {@code checkpoint-<step>.bin} (the tensors as little-endian
 * float32, back to back). The binary is written first and the index is swapped in atomically, so a
 * crash never leaves a half-written checkpoint; older binaries are deleted afterwards. Immutable
 * value; reading and writing are not synchronized.
 */
public record Checkpoint(
    long step, long seed, double lambda, ModelConfig config, ParameterValues values) {

  /** File name of the index in a run directory. */
  public static final String INDEX = "checkpoint.json";

  private static final String FORMAT = "latentstream-checkpoint/1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Whether {@code runDir} holds a checkpoint. */
  public static boolean exists(Path runDir) {
    return Files.isRegularFile(runDir.resolve(INDEX));
  }

  /** Writes this checkpoint into {@code runDir}, replacing the previous one. */
  public void write(Path runDir) throws IOException {
    Files.createDirectories(runDir);
    String binName = String.format("checkpoint-%09d.bin", step);
    Path binTmp = runDir.resolve(binName + ".tmp");
    ObjectNode index = JSON.createObjectNode();
    index.put("format", FORMAT);
    index.put("step", step);
    index.put("seed", seed);
    index.put("lambda", lambda);
    index.set("architecture", architectureJson(config));
    index.put("data", binName);
    ArrayNode tensors = index.putArray("tensors");
    long offset = 0;
    try (OutputStream os = Files.newOutputStream(binTmp);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 20))) {
      ByteBuffer buf = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      for (var e : values.entries().entrySet()) {
        ObjectNode t = tensors.addObject();
        t.put("name", e.getKey());
        ArrayNode shape = t.putArray("shape");
        for (long d : e.getValue().shape()) {
          shape.add(d);
        }
        t.put("offset", offset);
        for (float f : e.getValue().values()) {
          buf.clear();
          buf.putFloat(f);
          out.write(buf.array());
        }
        offset += 4L * e.getValue().values().length;
      }
    }
    Files.move(
        binTmp,
        runDir.resolve(binName),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    Path indexTmp = runDir.resolve(INDEX + ".tmp");
    JSON.writerWithDefaultPrettyPrinter().writeValue(indexTmp.toFile(), index);
    Files.move(
        indexTmp,
        runDir.resolve(INDEX),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    try (Stream<Path> old = Files.list(runDir)) {
      for (Path p : old.toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith("checkpoint-") && n.endsWith(".bin") && !n.equals(binName)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** Reads the checkpoint of {@code runDir}. */
  public static Checkpoint read(Path runDir) throws IOException {
    JsonNode index = JSON.readTree(runDir.resolve(INDEX).toFile());
    if (!FORMAT.equals(index.path("format").asText())) {
      throw new IOException("not a " + FORMAT + " checkpoint: " + runDir.resolve(INDEX));
    }
    byte[] data = Files.readAllBytes(runDir.resolve(index.get("data").asText()));
    ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    ParameterValues values = new ParameterValues();
    for (JsonNode t : index.get("tensors")) {
      long[] shape = new long[t.get("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = t.get("shape").get(i).asLong();
      }
      float[] v = new float[ParameterSpec.size(shape)];
      int offset = Math.toIntExact(t.get("offset").asLong());
      for (int i = 0; i < v.length; i++) {
        v[i] = buf.getFloat(offset + 4 * i);
      }
      values.put(t.get("name").asText(), shape, v);
    }
    return new Checkpoint(
        index.get("step").asLong(),
        index.get("seed").asLong(),
        index.get("lambda").asDouble(),
        architecture(index.get("architecture")),
        values);
  }

  /** The architecture as it appears in checkpoints and manifests. */
  public static ObjectNode architectureJson(ModelConfig config) {
    ObjectNode a = JSON.createObjectNode();
    a.put("type", "factorized-prior");
    a.put("N", config.n());
    a.put("M", config.m());
    a.put("kernel", config.kernel());
    a.put("nonlinearity", config.nonlinearity().id());
    a.put("decoder", "transposed-conv");
    return a;
  }

  /** Parses {@link #architectureJson}. */
  public static ModelConfig architecture(JsonNode a) {
    return new ModelConfig(
        a.get("N").asInt(),
        a.get("M").asInt(),
        a.get("kernel").asInt(),
        ModelConfig.Nonlinearity.parse(a.get("nonlinearity").asText()));
  }
}
