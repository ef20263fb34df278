package io.latentstream.codec.model;

import io.latentstream.codec.UnknownModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The model packages in a models directory, and an LRU of loaded ones.
 *
 * <p>The models directory is the property {@value #MODELS_DIR_PROPERTY}, else the environment
 * variable {@value #MODELS_DIR_ENV}, else {@code <latentstream.root>/models}. Packages sit directly
 * in it or one level below (e.g. {@code models/default-q3/default-q3-20261125120000-1a2b3c4d/}).
 *
 * <p>{@code --model SPEC} resolves as: an existing directory path; else a full version; else a
 * package name (newest timestamp wins); else a family: packages {@code SPEC-q1 .. SPEC-qK} are its
 * quality levels and {@code --quality N} picks {@code SPEC-qN} (without it, the middle level).
 *
 * <p>Thread-safe. The catalog owns every model it loads and closes them when evicted (the model
 * waits for its in-flight calls, see {@link CodecModel#close()}) and in {@link #close()}.
 */
public final class ModelCatalog implements ModelResolver, AutoCloseable {
  public static final String MODELS_DIR_PROPERTY = "latentstream.models.dir";
  public static final String MODELS_DIR_ENV = "LATENTSTREAM_MODELS";
  private static final Pattern QUALITY = Pattern.compile("(.+)-q(\\d+)");

  private final Path modelsDir;
  private final int maxLoaded;
  private final LinkedHashMap<Path, CodecModel> loaded = new LinkedHashMap<>(16, 0.75f, true);

  /**
   * @param modelsDir where packages live
   * @param maxLoaded how many models stay loaded at most (least recently used is closed first)
   */
  public ModelCatalog(Path modelsDir, int maxLoaded) {
    if (maxLoaded < 1) {
      throw new IllegalArgumentException("maxLoaded must be >= 1");
    }
    this.modelsDir = modelsDir.toAbsolutePath().normalize();
    this.maxLoaded = maxLoaded;
  }

  /** A catalog over {@link #defaultModelsDir()} keeping up to 4 models loaded. */
  public static ModelCatalog fromEnvironment() {
    return new ModelCatalog(defaultModelsDir(), 4);
  }

  public static Path defaultModelsDir() {
    String dir = System.getProperty(MODELS_DIR_PROPERTY);
    if (dir == null || dir.isBlank()) {
      dir = System.getenv(MODELS_DIR_ENV);
    }
    if (dir == null || dir.isBlank()) {
      return Paths.get(System.getProperty("latentstream.root", "."), "models");
    }
    return Paths.get(dir);
  }

  public Path modelsDir() {
    return modelsDir;
  }

  /** One package directory found in the models directory. */
  public record Entry(Path directory, String name, String timestamp) {
    /** The quality level encoded in the name ({@code ...-qN}), or empty. */
    public Optional<Integer> quality() {
      Matcher m = QUALITY.matcher(name);
      return m.matches() ? Optional.of(Integer.parseInt(m.group(2))) : Optional.empty();
    }

    /** The family the name belongs to ({@code default} for {@code default-q3}), or empty. */
    public Optional<String> family() {
      Matcher m = QUALITY.matcher(name);
      return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    public String version() {
      return directory.getFileName().toString();
    }
  }

  /** Every package directory (by name pattern; not verified), newest first per name. */
  public List<Entry> entries() {
    List<Entry> out = new ArrayList<>();
    if (!Files.isDirectory(modelsDir)) {
      return out;
    }
    try (Stream<Path> walk = Files.walk(modelsDir, 2)) {
      walk.filter(Files::isDirectory)
          .forEach(
              p -> {
                Matcher m = ModelManifest.VERSION.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p.resolve(ModelManifest.FILE_NAME))) {
                  out.add(new Entry(p, m.group(1), m.group(2)));
                }
              });
    } catch (IOException e) {
      throw new UnknownModelException(
          modelsDir.toString(), "cannot list models directory " + modelsDir + ": " + e);
    }
    out.sort(
        Comparator.comparing(Entry::name)
            .thenComparing(Entry::timestamp, Comparator.reverseOrder()));
    return out;
  }

  /** The newest package of each quality level of a family, by quality. */
  public TreeMap<Integer, Entry> qualityLevels(String family) {
    TreeMap<Integer, Entry> levels = new TreeMap<>();
    for (Entry e : entries()) {
      Matcher m = QUALITY.matcher(e.name());
      if (m.matches() && m.group(1).equals(family)) {
        levels.putIfAbsent(Integer.parseInt(m.group(2)), e); // entries() lists the newest first
      }
    }
    return levels;
  }

  /**
   * Resolves {@code --model} / {@code --quality} to a package directory.
   *
   * @param spec a path, version, package name or family name
   * @param quality quality level for a family, or null
   * @throws UnknownModelException when nothing matches
   */
  public Path locate(String spec, Integer quality) {
    Path asPath = Paths.get(spec);
    if (quality == null
        && Files.isDirectory(asPath)
        && Files.isRegularFile(asPath.resolve(ModelManifest.FILE_NAME))) {
      return asPath.toAbsolutePath().normalize();
    }
    List<Entry> all = entries();
    String name = quality == null ? spec : spec + "-q" + quality;
    for (Entry e : all) {
      if (quality == null && e.version().equals(spec)) {
        return e.directory();
      }
    }
    for (Entry e : all) {
      if (e.name().equals(name)) {
        return e.directory();
      }
    }
    if (quality == null) {
      TreeMap<Integer, Entry> levels = qualityLevels(spec);
      if (!levels.isEmpty()) {
        List<Entry> sorted = new ArrayList<>(levels.values());
        return sorted.get((sorted.size() - 1) / 2).directory();
      }
    }
    throw new UnknownModelException(
        name,
        "no model package '"
            + name
            + "' (path, version, name or family) in "
            + modelsDir
            + (all.isEmpty() ? " (directory holds no packages)" : ""));
  }

  /** Locates and loads (or reuses) a model; the catalog keeps ownership. */
  public CodecModel load(String spec, Integer quality) {
    return loadDirectory(locate(spec, quality));
  }

  /** Loads (or reuses) the model in a package directory; the catalog keeps ownership. */
  public synchronized CodecModel loadDirectory(Path dir) {
    Path key = dir.toAbsolutePath().normalize();
    CodecModel model = loaded.get(key);
    if (model != null && !model.isClosed()) {
      return model;
    }
    model = CodecModel.load(key);
    loaded.put(key, model);
    while (loaded.size() > maxLoaded) {
      Map.Entry<Path, CodecModel> eldest = loaded.entrySet().iterator().next();
      loaded.remove(eldest.getKey());
      eldest.getValue().close();
    }
    return model;
  }

  /** The model for a version named in a bitstream. */
  @Override
  public CodecModel resolve(String version) {
    synchronized (this) {
      for (CodecModel m : loaded.values()) {
        if (m.version().equals(version) && !m.isClosed()) {
          return m;
        }
      }
    }
    for (Entry e : entries()) {
      if (e.version().equals(version)) {
        return loadDirectory(e.directory());
      }
    }
    throw new UnknownModelException(
        version, "model version " + version + " is not in " + modelsDir);
  }

  @Override
  public synchronized void close() {
    for (CodecModel m : loaded.values()) {
      m.close();
    }
    loaded.clear();
  }
}
