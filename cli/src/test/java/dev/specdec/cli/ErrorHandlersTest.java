package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.runtime.BundleException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ErrorHandlersTest {

  private record Handled(int code, String err) {}

  private static Handled handle(Exception e) {
    StringWriter err = new StringWriter();
    CommandLine cmd = SpecdecCommand.commandLine().setErr(new PrintWriter(err, true));
    int code = ErrorHandlers.onExecutionError(e, cmd, null);
    return new Handled(code, err.toString());
  }

  @Test
  void userErrorsAreOneLineWithExitCodeOne() {
    Handled h = handle(new BundleException("no specdec.json in /x"));

    assertEquals(ExitCodes.FAILURE, h.code());
    assertEquals("specdec: error: no specdec.json in /x" + System.lineSeparator(), h.err());
  }

  @Test
  void missingFileWithoutReasonSaysSo() {
    Handled h = handle(new NoSuchFileException("/x/prompt.txt"));

    assertEquals(ExitCodes.FAILURE, h.code());
    assertTrue(h.err().contains("file does not exist: /x/prompt.txt"), h.err());
  }

  @Test
  void unexpectedExceptionsPrintTheirStackTraceWithExitCodeSeventy() {
    Handled h = handle(new IllegalStateException("invariant broken"));

    assertEquals(ExitCodes.INTERNAL, h.code());
    assertTrue(h.err().contains("java.lang.IllegalStateException: invariant broken"), h.err());
    assertTrue(h.err().contains("\tat "), "stack trace: " + h.err());
    assertFalse(ErrorHandlers.isUserError(new NullPointerException()));
  }
}
