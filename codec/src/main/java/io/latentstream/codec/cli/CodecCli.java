package io.latentstream.codec.cli;

import io.latentstream.codec.CodecException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * File-level codec commands: {@code encode}, {@code decode}, {@code eval}, {@code bench}. The root
 * launcher ({@code ./latentstream <command>}) calls {@link #run}. One JVM serves a whole directory
 * of images. Exit codes: 0 success, 2 for codec and I/O errors (one line on stderr), picocli's own
 * codes for usage errors. Each invocation owns and closes its model catalog.
 */
@Command(
    name = "latentstream-codec",
    mixinStandardHelpOptions = true,
    description = "Learned image codec: encode, decode, evaluate, benchmark.",
    subcommands = {EncodeCommand.class, DecodeCommand.class, EvalCommand.class, BenchCommand.class})
public final class CodecCli implements Runnable {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs a command line and returns its exit code; codec errors print one line, not a stack trace.
   */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new CodecCli());
    cli.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          // User errors (bad input, bad bitstream, unknown model, unreadable file) print one line;
          // bugs keep the trace.
          if (e instanceof CodecException
              || e instanceof java.io.IOException
              || e instanceof NumberFormatException) {
            line.getErr().println("error: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    return cli.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
