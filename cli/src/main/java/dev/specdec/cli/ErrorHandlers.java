package dev.specdec.cli;

import dev.specdec.eval.ImportException;
import dev.specdec.eval.QuantizeException;
import dev.specdec.model.InferenceException;
import dev.specdec.model.NumericalException;
import dev.specdec.model.RunCancelledException;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.DeviceUnavailableException;
import dev.specdec.runtime.ModelContractException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How {@code specdec} reports failures: one line {@code specdec: error: <message>} on stderr for
 * anything the user can fix, a stack trace for bugs.
 */
final class ErrorHandlers {
  private static final String PREFIX = "specdec: error: ";

  private ErrorHandlers() {}

  /** Bad command line: the message, a hint to {@code --help}, exit code 2. */
  static int onParameterError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(PREFIX + stripPicocliPrefix(e.getMessage()));
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return ExitCodes.USAGE;
  }

  /** Failure while running: user errors as one line (exit 1), anything else with a stack trace. */
  static int onExecutionError(Exception e, CommandLine cmd, ParseResult parseResult) {
    PrintWriter err = cmd.getErr();
    int code;
    if (e instanceof RunCancelledException && interruption(cmd) instanceof Interruption stop) {
      // A pass refused after Ctrl-C outside the decode loop (which turns it into a stop reason).
      code = stop.report(err, "stopped (" + e.getMessage() + ")");
    } else if (isUserError(e)) {
      err.println(PREFIX + message(e));
      code = ExitCodes.FAILURE;
    } else {
      err.println(PREFIX + "unexpected failure, please report it with this trace:");
      e.printStackTrace(err);
      code = ExitCodes.INTERNAL;
    }
    err.flush();
    return code;
  }

  /**
   * Errors with a message that tells the user what to fix: bad files and bundles, models that break
   * the contract, values rejected by validation, prompts that do not fit, non-finite logits, a
   * model that fails while it runs (the message names the model, the position and ONNX Runtime's
   * reason), an unavailable device, a model that cannot be quantized or a checkpoint that cannot be
   * imported.
   */
  static boolean isUserError(Exception e) {
    return e instanceof UserException
        || e instanceof BundleException
        || e instanceof ModelContractException
        || e instanceof DeviceUnavailableException
        || e instanceof QuantizeException
        || e instanceof ImportException
        || e instanceof IOException
        || e instanceof UncheckedIOException
        || e instanceof IllegalArgumentException
        || e instanceof NumericalException
        || e instanceof InferenceException;
  }

  private static Interruption interruption(CommandLine cmd) {
    return cmd.getCommandSpec().root().userObject() instanceof SpecdecCommand root
        ? root.interruption()
        : null;
  }

  private static String message(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException missing && missing.getReason() == null) {
      return "file does not exist: " + missing.getFile();
    }
    if (e instanceof UncheckedIOException unchecked) {
      return unchecked.getCause().getMessage();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static String stripPicocliPrefix(String message) {
    return message.startsWith("Error: ") ? message.substring("Error: ".length()) : message;
  }
}
