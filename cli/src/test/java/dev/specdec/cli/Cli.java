package dev.specdec.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the command line in-process and captures what it prints. */
record Cli(int exitCode, String out, String err) {
  /** The repository root, where the committed test bundle lives. */
  static Path root() {
    return Path.of(System.getProperty("specdec.root", "..")).toAbsolutePath().normalize();
  }

  /** The committed test bundle. */
  static Path testTiny() {
    return root().resolve("models/test-tiny");
  }

  static Cli run(String... args) {
    return run(SpecdecCommand.commandLine(), args);
  }

  /** Runs {@code args} as if Ctrl-C had been pressed before the command began. */
  static Cli runInterrupted(String... args) {
    Interruption interruption = Interruption.create();
    interruption.interrupt("SIGINT", ExitCodes.INTERRUPTED);
    return run(SpecdecCommand.commandLine(interruption), args);
  }

  private static Cli run(picocli.CommandLine commandLine, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        commandLine
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new Cli(code, out.toString(), err.toString());
  }
}
