package io.latentstream.codec.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** sha256 of files and the package digest of docs/model-package.md. Stateless, thread-safe. */
public final class PackageDigest {
  private PackageDigest() {}

  /** Lower-case hex sha256 of a file. */
  public static String sha256(Path file) throws IOException {
    MessageDigest md = newDigest();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** sha256 over {@code "<sha256-hex> <relative-path>\n"} lines sorted by path. */
  public static String packageDigest(Map<String, String> files) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(files).entrySet()) {
      sb.append(e.getValue()).append("  ").append(e.getKey()).append('\n');
    }
    return HexFormat.of()
        .formatHex(newDigest().digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is mandatory on every JVM", e);
    }
  }
}
