package dev.specdec.cli;

import dev.specdec.eval.ModelReport;
import dev.specdec.runtime.BundleException;
import dev.specdec.runtime.Engine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code specdec inspect PATH}: what a model, model directory or bundle holds and what runs. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Shows a model's inputs, outputs, detected layout (specdec contract or Hugging Face"
          + " Optimum), sizes and special tokens, and which drafters and acceptance rules specdec"
          + " can use with it."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the target can be run",
      "1:it cannot (the report says why), or the path is not a model",
      "2:bad command line",
      "70:internal error (stack trace printed)"
    })
final class InspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "PATH",
      description =
          "An ONNX file, a directory holding one (decoder_model_merged.onnx, model.onnx,"
              + " decoder_model.onnx or target.onnx, with config.json for the Optimum layout), or"
              + " a bundle directory (specdec.json).")
  Path path;

  @Mixin ThreadOptions threads;

  @Override
  public Integer call() throws IOException, BundleException {
    try (Engine engine = Engine.create(threads.engineOptions(spec.commandLine()))) {
      ModelReport report = ModelReport.inspect(engine, path);
      spec.commandLine().getOut().print(report.render());
      spec.commandLine().getOut().flush();
      if (!report.models().get("target").usable()) {
        spec.commandLine()
            .getErr()
            .println("specdec: error: specdec cannot run " + path + " (see 'problem' above)");
        return ExitCodes.FAILURE;
      }
      return ExitCodes.OK;
    }
  }
}
