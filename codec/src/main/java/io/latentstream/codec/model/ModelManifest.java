package io.latentstream.codec.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentstream.codec.model.ModelPackageException.InvalidManifestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The fields of {@code manifest.json} the codec relies on (docs/model-package.md), plus the raw
 * JSON for the rest. Immutable.
 *
 * @param name package name, e.g. {@code default-q3}
 * @param version directory name {@code <name>-<yyyyMMddHHmmss>-<digest:8>}
 * @param quality quality level, or 0 when absent
 * @param latentChannels M
 * @param stride total downsampling of the analysis transform
 * @param cdfPrecision bits of the entropy tables
 * @param encoder encoder signature and tensor keys
 * @param decoder decoder signature and tensor keys
 * @param files sha256 hex by '/'-separated relative path, sorted
 * @param json the whole manifest
 */
public record ModelManifest(
    String name,
    String version,
    int quality,
    int latentChannels,
    int stride,
    int cdfPrecision,
    Signature encoder,
    Signature decoder,
    Map<String, String> files,
    JsonNode json) {

  public static final String FORMAT = "latentstream-model/1";
  public static final String FILE_NAME = "manifest.json";
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");
  static final Pattern VERSION = Pattern.compile("([a-z0-9][a-z0-9-]*)-(\\d{14})-([0-9a-f]{8})");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A SavedModel signature: key plus input and output tensor keys. */
  public record Signature(String key, String input, String output) {}

  /** Reads and validates a manifest file. */
  public static ModelManifest read(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new InvalidManifestException(file, "cannot read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidManifestException(file, "not a JSON object");
    }
    String format = text(file, root, "format");
    if (!FORMAT.equals(format)) {
      throw new InvalidManifestException(
          file, "format is '" + format + "', expected '" + FORMAT + "'");
    }
    String name = text(file, root, "name");
    if (!NAME.matcher(name).matches()) {
      throw new InvalidManifestException(file, "name '" + name + "' must match " + NAME);
    }
    String version = text(file, root, "version");
    if (!VERSION.matcher(version).matches() || !version.startsWith(name + "-")) {
      throw new InvalidManifestException(
          file, "version '" + version + "' must be " + name + "-<yyyyMMddHHmmss>-<sha256:8>");
    }
    int quality = root.path("quality").asInt(0);
    int m = positiveInt(file, root, "latentChannels");
    int stride = positiveInt(file, root, "stride");
    int precision = positiveInt(file, root, "cdfPrecision");
    if (precision > 16) {
      throw new InvalidManifestException(
          file, "cdfPrecision " + precision + " > 16 is not supported");
    }
    Signature enc = signature(file, root, "encoder", "x", "y");
    Signature dec = signature(file, root, "decoder", "y_hat", "x_hat");
    JsonNode filesNode = root.get("files");
    if (filesNode == null || !filesNode.isObject() || filesNode.isEmpty()) {
      throw new InvalidManifestException(file, "'files' must be a non-empty object");
    }
    Map<String, String> files = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = filesNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = e.getKey();
      String hash = e.getValue().asText("");
      if (path.isEmpty()
          || path.startsWith("/")
          || path.contains("\\")
          || path.equals(FILE_NAME)
          || java.util.Arrays.asList(path.split("/")).stream()
              .anyMatch(s -> s.isEmpty() || s.equals("..") || s.equals("."))) {
        throw new InvalidManifestException(file, "files: illegal path '" + path + "'");
      }
      if (!SHA256.matcher(hash).matches()) {
        throw new InvalidManifestException(
            file, "files: '" + path + "' has no lower-case sha256 hex");
      }
      files.put(path, hash);
    }
    if (!files.containsKey("entropy.json")) {
      throw new InvalidManifestException(file, "files: entropy.json is not listed");
    }
    return new ModelManifest(
        name,
        version,
        quality,
        m,
        stride,
        precision,
        enc,
        dec,
        Collections.unmodifiableMap(files),
        root);
  }

  private static String text(Path file, JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || !n.isTextual()) {
      throw new InvalidManifestException(file, "missing string '" + field + "'");
    }
    return n.asText();
  }

  private static int positiveInt(Path file, JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1) {
      throw new InvalidManifestException(file, "'" + field + "' must be a positive integer");
    }
    return n.intValue();
  }

  private static Signature signature(
      Path file, JsonNode root, String field, String in, String out) {
    JsonNode n = root.get(field);
    if (n == null || !n.isObject()) {
      throw new InvalidManifestException(file, "missing object '" + field + "'");
    }
    Signature s =
        new Signature(
            n.path("signature").asText("serving_default"),
            n.path("input").asText(""),
            n.path("output").asText(""));
    // The tensor keys are fixed by the contract; a DJL input whose name does not match crashes the
    // JVM.
    if (!in.equals(s.input()) || !out.equals(s.output())) {
      throw new InvalidManifestException(
          file,
          field
              + ": tensors must be '"
              + in
              + "' -> '"
              + out
              + "', were '"
              + s.input()
              + "' -> '"
              + s.output()
              + "'");
    }
    return s;
  }
}
