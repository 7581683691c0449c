package dev.specdec.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level {@code specdec} command; the work is done by its subcommands. */
@Command(
    name = "specdec",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Speculative decoding for LLMs on ONNX Runtime.",
    subcommands = {
      DecodeCommand.class,
      BenchCommand.class,
      TuneCommand.class,
      EvalCommand.class,
      InspectCommand.class,
      ImportCommand.class,
      PerplexityCommand.class,
      QuantizeCommand.class,
      TreeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class SpecdecCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  private final Interruption interruption;

  private SpecdecCommand(Interruption interruption) {
    this.interruption = interruption;
  }

  /**
   * Runs the command line and exits with its code. SIGINT and SIGTERM stop a running command
   * cleanly (see {@link Interruption}): exit 130 or 143 after it printed what it had.
   */
  public static void main(String[] args) {
    Interruption interruption = Interruption.forProcess();
    int code;
    try {
      code = commandLine(interruption).execute(args);
    } finally {
      interruption.finished();
    }
    System.exit(code);
  }

  /**
   * A configured command line: error messages as {@code specdec: error: ...}, exit codes of {@link
   * ExitCodes}, case-insensitive enum values. Tests redirect its output with {@code setOut} and
   * {@code setErr}.
   */
  public static CommandLine commandLine() {
    return commandLine(Interruption.create());
  }

  /** {@link #commandLine()} whose commands stop when {@code interruption} is triggered. */
  static CommandLine commandLine(Interruption interruption) {
    return new CommandLine(new SpecdecCommand(interruption))
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setParameterExceptionHandler(ErrorHandlers::onParameterError)
        .setExecutionExceptionHandler(ErrorHandlers::onExecutionError);
  }

  /** What stops the running subcommand from outside. */
  Interruption interruption() {
    return interruption;
  }

  /** Without a subcommand: print the usage to stderr and fail as a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().getErr().println("specdec: error: missing a command (e.g. decode)");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }
}
