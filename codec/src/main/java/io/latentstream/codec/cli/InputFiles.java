package io.latentstream.codec.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Expands a file-or-directory argument into the files to process, sorted by name. */
final class InputFiles {
  private InputFiles() {}

  static List<Path> list(Path input, String... extensions) throws IOException {
    if (!Files.isDirectory(input)) {
      if (!Files.isRegularFile(input)) {
        throw new IOException("no such file or directory: " + input);
      }
      return List.of(input);
    }
    try (Stream<Path> s = Files.list(input)) {
      return s.filter(Files::isRegularFile)
          .filter(
              p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                for (String ext : extensions) {
                  if (n.endsWith(ext)) {
                    return true;
                  }
                }
                return false;
              })
          .sorted()
          .toList();
    }
  }

  static String stem(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}
