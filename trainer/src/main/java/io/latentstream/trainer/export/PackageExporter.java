package io.latentstream.trainer.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentstream.trainer.Checkpoint;
import io.latentstream.trainer.graph.ModelConfig;
import io.latentstream.trainer.graph.ParameterValues;
import io.latentstream.trainer.graph.TrainingGraph;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes a model package (docs/model-package.md): encoder and decoder SavedModels, {@code
 * entropy.json}, and {@code manifest.json} with the sha256 of every file; the directory is named
 * {@code <name>-<yyyyMMddHHmmss>-<digest:8>}. The package is assembled in a staging directory and
 * renamed into place, then checked with {@link ExportVerifier} against the training graph.
 * Stateless; thread-safe.
 */
public final class PackageExporter {

  /** Manifest format tag. */
  public static final String FORMAT = "latentstream-model/1";

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Exports {@code values} as a package under {@code parent} and verifies it against {@code
   * reference} (the training graph holding the same values). Returns the package directory.
   */
  public Path export(
      ParameterValues values, ModelMetadata meta, Path parent, TrainingGraph reference)
      throws IOException {
    return export(values, meta, parent, reference, null);
  }

  /**
   * As {@link #export(ParameterValues, ModelMetadata, Path, TrainingGraph)}, with held-out metrics
   * (or null).
   */
  public Path export(
      ParameterValues values,
      ModelMetadata meta,
      Path parent,
      TrainingGraph reference,
      ObjectNode metrics)
      throws IOException {
    ModelConfig config = meta.config();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Files.createDirectories(parent);
    Path staging = Files.createTempDirectory(parent, ".staging-");
    try (InferenceGraph encoder = new InferenceGraph(InferenceGraph.Kind.ENCODER, config, values);
        InferenceGraph decoder = new InferenceGraph(InferenceGraph.Kind.DECODER, config, values)) {
      encoder.export(staging.resolve("encoder"));
      decoder.export(staging.resolve("decoder"));
    }
    EntropyTables tables = EntropyTables.build(values, config.m());
    JSON.writeValue(staging.resolve("entropy.json").toFile(), tables.toJson(JSON));

    Map<String, String> files = hashFiles(staging);
    String digest = packageDigest(files);
    String version = meta.name() + "-" + STAMP.format(now) + "-" + digest.substring(0, 8);
    ObjectNode manifest = manifest(meta, version, now, files, metrics);
    JSON.writeValue(staging.resolve("manifest.json").toFile(), manifest);

    Path target = parent.resolve(version);
    Files.move(staging, target);
    new ExportVerifier().verify(target, reference);
    return target;
  }

  private static ObjectNode manifest(
      ModelMetadata meta,
      String version,
      Instant now,
      Map<String, String> files,
      ObjectNode metrics) {
    ModelConfig config = meta.config();
    ObjectNode m = JSON.createObjectNode();
    m.put("format", FORMAT);
    m.put("name", meta.name());
    m.put("version", version);
    m.put("createdAt", DateTimeFormatter.ISO_INSTANT.format(now));
    if (meta.parentVersion() == null) {
      m.putNull("parentVersion");
    } else {
      m.put("parentVersion", meta.parentVersion());
    }
    m.put("quality", meta.quality());
    m.set("architecture", Checkpoint.architectureJson(config));
    m.put("lambda", meta.lambda());
    m.put("latentChannels", config.m());
    m.put("stride", ModelConfig.STRIDE);
    m.put("cdfPrecision", EntropyTables.PRECISION);
    ObjectNode enc = m.putObject("encoder");
    enc.put("signature", InferenceGraph.SIGNATURE);
    enc.put("input", InferenceGraph.ENCODER_INPUT);
    enc.put("output", InferenceGraph.ENCODER_OUTPUT);
    ObjectNode dec = m.putObject("decoder");
    dec.put("signature", InferenceGraph.SIGNATURE);
    dec.put("input", InferenceGraph.DECODER_INPUT);
    dec.put("output", InferenceGraph.DECODER_OUTPUT);
    if (metrics != null) {
      m.set("metrics", metrics);
    }
    ObjectNode training = m.putObject("training");
    training.put("steps", meta.steps());
    training.put("batch", meta.batch());
    training.put("crop", meta.crop());
    ArrayNode images = training.putArray("images");
    meta.images().forEach(images::add);
    training.put("command", meta.command());
    ObjectNode f = m.putObject("files");
    files.forEach(f::put);
    return m;
  }

  /**
   * sha256 of every file under {@code dir} except {@code manifest.json}, keyed by '/'-separated
   * relative path.
   */
  public static Map<String, String> hashFiles(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        String rel = dir.relativize(p).toString().replace('\\', '/');
        if (!rel.equals("manifest.json")) {
          files.put(rel, sha256(p));
        }
      }
    }
    return files;
  }

  /** The package digest: sha256 over {@code "<hex> <path>\n"} lines sorted by path. */
  public static String packageDigest(Map<String, String> files) {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(files)
        .forEach((path, hex) -> sb.append(hex).append("  ").append(path).append('\n'));
    return HexFormat.of()
        .formatHex(sha256().digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** sha256 of a file, lower-case hex. */
  public static String sha256(Path file) throws IOException {
    MessageDigest md = sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
