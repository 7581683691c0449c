package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code specdec quantize}: writes a quantized bundle that {@code inspect} describes, and fails
 * with one line for what the user can fix. Runs tools/quantize.py with python3 + numpy + onnx
 * (installed by {@code .ci/run}).
 */
class QuantizeCommandTest {
  @TempDir Path dir;

  private static void assertOneLineError(Cli cli, int code, String expected) {
    assertEquals(code, cli.exitCode(), cli.err());
    assertTrue(cli.err().startsWith("specdec: error: " + expected), cli.err());
    assertFalse(cli.err().contains("\tat "), "no stack trace: " + cli.err());
    assertEquals("", cli.out());
  }

  @Test
  void quantizesABundleThatInspectThenDescribes() {
    Path out = dir.resolve("tiny-int8");
    Cli cli = Cli.run("quantize", Cli.testTiny().toString(), out.toString(), "--bits", "8");
    assertEquals(0, cli.exitCode(), cli.err());
    assertTrue(
        cli.out()
            .contains(
                "target: "
                    + out.resolve("target.onnx")
                    + ": 17 MatMuls -> MatMulNBits int8, block 32, accuracy level 4"),
        cli.out());
    assertTrue(cli.out().contains("medusa: "), cli.out());
    assertTrue(cli.out().contains(": nothing to quantize, copied unchanged ("), cli.out());
    Cli inspect = Cli.run("inspect", out.toString());
    assertEquals(0, inspect.exitCode(), inspect.err());
    assertTrue(
        inspect.out().contains("  weights: quantized, int8, block 32, accuracy level 4"),
        inspect.out());
    assertTrue(
        inspect.out().contains("quantization (specdec.json):\n  target: int8, block 32"),
        inspect.out());
  }

  @Test
  void badBitsAndBlocksAreUsageErrors() {
    String in = Cli.testTiny().toString();
    String out = dir.resolve("x").toString();
    assertOneLineError(
        Cli.run("quantize", in, out, "--bits", "5"), ExitCodes.USAGE, "--bits must be 4 or 8");
    assertOneLineError(
        Cli.run("quantize", in, out, "--bits", "4", "--block", "48"),
        ExitCodes.USAGE,
        "--block must be a power of two in [16, 256]");
    assertOneLineError(
        Cli.run("quantize", in, out, "--bits", "4", "--accuracy-level", "7"),
        ExitCodes.USAGE,
        "--accuracy-level must be in [0, 4]");
    assertOneLineError(Cli.run("quantize", in, out), ExitCodes.USAGE, "Missing required option");
    assertFalse(Files.exists(dir.resolve("x")));
  }

  @Test
  void aModelOutsideTheContractIsRefused() {
    Path noMetadata = Cli.root().resolve("testdata/bad-models/no-metadata.onnx");
    assertOneLineError(
        Cli.run("quantize", noMetadata.toString(), dir.resolve("q.onnx").toString(), "--bits", "8"),
        ExitCodes.FAILURE,
        "no-metadata.onnx: not a specdec contract model");
    assertFalse(Files.exists(dir.resolve("q.onnx")));
  }

  @Test
  void anExistingOutputIsNeverOverwritten() throws Exception {
    Path out = Files.writeString(dir.resolve("taken.onnx"), "mine");
    assertOneLineError(
        Cli.run(
            "quantize",
            Cli.testTiny().resolve("draft.onnx").toString(),
            out.toString(),
            "--bits",
            "4"),
        ExitCodes.FAILURE,
        out + " already exists");
    assertEquals("mine", Files.readString(out));
  }

  @Test
  void aMissingInputIsAFailure() {
    Path missing = dir.resolve("nowhere.onnx");
    assertOneLineError(
        Cli.run("quantize", missing.toString(), dir.resolve("q.onnx").toString(), "--bits", "4"),
        ExitCodes.FAILURE,
        missing + " does not exist");
  }
}
