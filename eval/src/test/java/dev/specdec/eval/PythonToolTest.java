package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How the Python tools' failures read once they reach the user. */
class PythonToolTest {
  @Test
  void aToolsOwnErrorLosesItsPrefix() {
    assertEquals(
        "in.onnx is not a specdec model",
        new PythonTool.Outcome(1, "", "quantize.py: error: in.onnx is not a specdec model")
            .errorMessage());
    assertEquals(
        "x.bin: truncated at byte 12",
        new PythonTool.Outcome(1, "", "error: x.bin: truncated at byte 12").errorMessage());
  }

  @Test
  void aMissingModuleNamesTheDebianPackage() {
    assertEquals(
        "the Python module 'onnx.helper' is missing (Debian: apt-get install python3-onnx)",
        new PythonTool.Outcome(PythonTool.MISSING_MODULE, "", "missing Python module onnx.helper")
            .errorMessage());
  }

  @Test
  void aPythonThatCannotStartIsNamed() {
    PythonTool tool = new PythonTool("/nonexistent/python3", "quantize.py", List.of());
    java.io.IOException e =
        assertThrows(java.io.IOException.class, () -> tool.run(List.of("--help"), 1));
    assertEquals(
        "'/nonexistent/python3' could not be started", e.getMessage().replaceFirst(" \\(.*", ""));
  }

  @Test
  void aShippedToolRunsFromItsUnpackedFolder() throws Exception {
    PythonTool.Outcome outcome = PythonTool.of("quantize.py", List.of()).run(List.of("--help"), 1);
    assertEquals(0, outcome.exitCode(), outcome.stderr());
    assertEquals(true, outcome.stdout().contains("--bits"), outcome.stdout());
  }
}
