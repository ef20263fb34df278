package io.latentstream.codec.model;

import ai.djl.engine.Engine;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts DJL's TensorFlow engine offline, exactly once per JVM.
 *
 * <p>DJL would try to download natives when it finds none, which fails offline
 * (docs/tensorflow-djl.md). We therefore look for the three TensorFlow 2.16.1 libraries ourselves,
 * in this order: {@code TENSORFLOW_LIBRARY_PATH} (property or environment, DJL's own override),
 * every entry of {@code java.library.path}, the property {@value #NATIVE_DIR_PROPERTY}, the
 * environment variable {@value #NATIVE_DIR_ENV}, and {@code <latentstream.root or
 * .>/codec/target/tf-native} (where the build unpacks them). The first directory that holds all
 * three is handed to DJL through the {@code TENSORFLOW_LIBRARY_PATH} system property; if none does,
 * a {@link NativeLibraryException} lists the directories and the properties to set.
 *
 * <p>TensorFlow's thread pools are sized here unless already configured: intra-op = available
 * cores, inter-op = 1 (our graphs are single chains; concurrency comes from one predictor per
 * calling thread). Fixed sizes also keep the analysis transform's float results, hence the
 * bitstream bytes, identical from run to run. Thread-safe.
 */
public final class TensorFlowRuntime {
  public static final String NATIVE_DIR_PROPERTY = "latentstream.tf.native.dir";
  public static final String NATIVE_DIR_ENV = "LATENTSTREAM_TF_NATIVE_DIR";
  static final String DJL_OVERRIDE = "TENSORFLOW_LIBRARY_PATH";
  static final List<String> LIBRARIES =
      List.of("libjnitensorflow.so", "libtensorflow_cc.so.2", "libtensorflow_framework.so.2");
  private static final Logger LOG = LoggerFactory.getLogger(TensorFlowRuntime.class);
  private static Engine engine;

  private TensorFlowRuntime() {}

  /**
   * Returns the started engine, starting it on first use.
   *
   * @throws NativeLibraryException when the natives are missing or fail to load
   */
  public static synchronized Engine engine() {
    if (engine != null) {
      return engine;
    }
    Path dir = locateNatives();
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent(
        "ai.djl.tensorflow.num_intraop_threads",
        Integer.toString(Runtime.getRuntime().availableProcessors()));
    setIfAbsent("ai.djl.tensorflow.num_interop_threads", "1");
    try {
      engine = Engine.getEngine("TensorFlow");
    } catch (
        Throwable
            e) { // UnsatisfiedLinkError, EngineException, ...: all mean the natives are unusable
      throw new NativeLibraryException(
          "TensorFlow engine failed to start with natives from "
              + dir
              + ": "
              + e
              + ". Rebuild them (mvn -pl codec generate-resources unpacks to codec/target/tf-native) and point -D"
              + NATIVE_DIR_PROPERTY
              + " or -Djava.library.path at that directory.",
          e);
    }
    LOG.info("TensorFlow engine {} started, natives from {}", engine.getVersion(), dir);
    return engine;
  }

  /** The directory that holds the natives, after pointing DJL at it. */
  static Path locateNatives() {
    Set<Path> candidates = new LinkedHashSet<>();
    String override = System.getProperty(DJL_OVERRIDE, System.getenv(DJL_OVERRIDE));
    addPaths(candidates, override);
    addPaths(candidates, System.getProperty("java.library.path"));
    addPaths(candidates, System.getProperty(NATIVE_DIR_PROPERTY));
    addPaths(candidates, System.getenv(NATIVE_DIR_ENV));
    String root =
        System.getProperty(
            "latentstream.root", System.getenv().getOrDefault("LATENTSTREAM_ROOT", "."));
    candidates.add(Paths.get(root, "codec", "target", "tf-native").toAbsolutePath().normalize());
    candidates.add(Paths.get("target", "tf-native").toAbsolutePath().normalize());
    List<String> looked = new ArrayList<>();
    for (Path dir : candidates) {
      looked.add(dir.toString());
      if (LIBRARIES.stream().allMatch(lib -> Files.isRegularFile(dir.resolve(lib)))) {
        if (override == null || !Paths.get(override).toAbsolutePath().normalize().equals(dir)) {
          // DJL reads this as a system property too (Utils.getEnvOrSystemProperty).
          System.setProperty(DJL_OVERRIDE, dir.toString());
        }
        return dir;
      }
    }
    throw new NativeLibraryException(
        "TensorFlow native libraries "
            + LIBRARIES
            + " not found in "
            + looked
            + ". Build them with 'mvn -pl codec generate-resources' (unpacks to codec/target/tf-native) and set -D"
            + NATIVE_DIR_PROPERTY
            + "=<dir> (or env "
            + NATIVE_DIR_ENV
            + ", or -Djava.library.path=<dir>).",
        null);
  }

  private static void addPaths(Set<Path> into, String pathList) {
    if (pathList == null || pathList.isBlank()) {
      return;
    }
    for (String p : pathList.split(File.pathSeparator)) {
      if (!p.isBlank()) {
        into.add(Paths.get(p).toAbsolutePath().normalize());
      }
    }
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
