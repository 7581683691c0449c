package dev.specdec.cli;

import dev.specdec.eval.ModelQuantizer;
import dev.specdec.eval.QuantizeException;
import dev.specdec.runtime.Engine;
import dev.specdec.runtime.Quantization;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code specdec quantize IN OUT --bits 8|4}: a model or bundle with quantized MatMul weights. */
@Command(
    name = "quantize",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Rewrites a specdec model (target, draft, Medusa heads, MTP module) or a whole bundle so"
          + " that its MatMuls with constant weights run as ONNX Runtime's MatMulNBits: weights"
          + " quantized blockwise along K (8 bits symmetric, 4 bits with zero points), computed"
          + " quantized. int8 + Cast + Mul and fp16 storage is dequantized to fp32 first.",
      "A bundle's manifest gets \"quantization\" per model and its model card a table; every"
          + " written model is loaded once to check it. Needs Python 3 with numpy and onnx"
          + " (tools/quantize.py; -Dspecdec.python or SPECDEC_PYTHON name another Python)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:bad input: IN missing or not a specdec model or bundle, OUT exists, no Python 3 with"
          + " numpy and onnx",
      "2:bad command line",
      "70:internal error (stack trace printed)"
    })
final class QuantizeCommand implements Callable<Integer> {
  /** The accuracy level {@code --accuracy-level} defaults to; see docs/performance.md. */
  static final int DEFAULT_ACCURACY_LEVEL = 4;

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "IN",
      description = "A specdec .onnx model, or a bundle directory (specdec.json).")
  Path in;

  @Parameters(index = "1", paramLabel = "OUT", description = "Where to write; must not exist.")
  Path out;

  @Option(
      names = "--bits",
      paramLabel = "B",
      required = true,
      description = "Bits per weight: 8 or 4.")
  int bits;

  @Option(
      names = "--block",
      paramLabel = "N",
      defaultValue = "32",
      description =
          "Weights per block along K, each block with its own scale: 16, 32, 64, 128 or 256."
              + " Default: ${DEFAULT-VALUE}.")
  int block;

  @Option(
      names = "--accuracy-level",
      paramLabel = "L",
      defaultValue = "" + DEFAULT_ACCURACY_LEVEL,
      description =
          "MatMulNBits accuracy_level: the least precision of the activations in the kernel, 0"
              + " (unset), 1 (fp32), 2 (fp16), 3 (bf16) or 4 (int8). Default: ${DEFAULT-VALUE}"
              + " (measured fastest, docs/performance.md).")
  int accuracyLevel;

  @Option(
      names = "--reference",
      description =
          "Write the float model the quantized one approximates instead: plain MatMuls over the"
              + " dequantized weights, for checking.")
  boolean reference;

  @Mixin ThreadOptions threads;

  @Override
  public Integer call() throws QuantizeException, IOException {
    CommandLine cmd = spec.commandLine();
    Quantization settings;
    try {
      settings = new Quantization(bits, block, accuracyLevel);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(cmd, option(e.getMessage()), e);
    }
    try (Engine engine = Engine.create(threads.engineOptions(cmd))) {
      ModelQuantizer quantizer = ModelQuantizer.create();
      ModelQuantizer.Result result =
          reference
              ? quantizer.writeReference(engine, in, out, settings)
              : quantizer.quantize(engine, in, out, settings);
      PrintWriter stdout = cmd.getOut();
      stdout.print(result.toText());
      stdout.flush();
    }
    return ExitCodes.OK;
  }

  /** The record's message in terms of the command line's options. */
  private static String option(String message) {
    return message
        .replaceFirst("^bits", "--bits")
        .replaceFirst("^block", "--block")
        .replaceFirst("^accuracyLevel", "--accuracy-level");
  }
}
