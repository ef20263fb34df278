package io.latentstream.codec.cli;

import picocli.CommandLine.Option;

/** {@code --model} and {@code --quality}, shared by the commands that encode. */
final class ModelOptions {
  @Option(
      names = "--model",
      defaultValue = "default",
      description =
          "Model package directory, version, name, or family (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(
      names = "--quality",
      description = "Quality level of a model family (default: the middle level).")
  Integer quality;
}
