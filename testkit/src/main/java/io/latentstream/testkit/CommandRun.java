package io.latentstream.testkit;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * What one run of a command-line command printed and returned, for tests that run a command (the
 * demo, a benchmark) the way a user's shell would, in this JVM.
 *
 * @param exit the exit code picocli returned
 * @param out what the command printed on its standard output
 * @param err what it printed on its standard error
 */
public record CommandRun(int exit, String out, String err) {

  /** Runs {@code command} (a picocli command object) with {@code args} and captures its output. */
  public static CommandRun of(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        new CommandLine(command)
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args);
    return new CommandRun(exit, out.toString(), err.toString());
  }

  /** Both outputs, for an assertion's description when the exit code is not the one expected. */
  public String transcript() {
    return out + "\n" + err;
  }
}
