package dev.specdec.cli;

import dev.specdec.eval.ImportException;
import dev.specdec.eval.ModelImporter;
import dev.specdec.model.ModelInfo;
import dev.specdec.runtime.Engine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code specdec import hf|llama2c ...}: a checkpoint of another project as a specdec bundle. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Converts a checkpoint of another project into a specdec bundle (target.onnx, tokenizer.json,"
          + " specdec.json; Medusa heads too where given), checks that ONNX Runtime loads it under"
          + " the model contract, and only then moves it to OUT.",
      "Needs Python 3 with numpy and onnx (tools/import_hf_llama.py, tools/import_llama2c.py;"
          + " -Dspecdec.python or SPECDEC_PYTHON name another Python). See docs/importing.md."
    },
    subcommands = {ImportCommand.Hf.class, ImportCommand.Llama2c.class})
final class ImportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "name the checkpoint's format: specdec import hf|llama2c ...");
  }

  /** What the two formats share: the output, the name, the threads of the check. */
  abstract static class Format implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        description = "The bundle's name. Default: the checkpoint's.")
    String name;

    @Mixin ThreadOptions threads;

    abstract ModelImporter.Request request(CommandLine cmd);

    abstract Path out();

    @Override
    public Integer call() throws ImportException, IOException {
      CommandLine cmd = spec.commandLine();
      ModelImporter.Request request;
      try {
        request = request(cmd);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(cmd, e.getMessage(), e);
      }
      try (Engine engine = Engine.create(threads.engineOptions(cmd))) {
        ModelImporter.Result result = ModelImporter.create().importBundle(engine, request, out());
        ModelInfo t = result.target();
        PrintWriter stdout = cmd.getOut();
        if (!result.log().isEmpty()) {
          stdout.println(result.log());
        }
        stdout.printf(
            "wrote bundle '%s' to %s: target %s (%d layers, hidden %d, vocabulary %d, %d"
                + " positions)%s%n",
            result.bundle().name(),
            out(),
            t.name(),
            t.numLayers(),
            t.hiddenSize(),
            t.vocabSize(),
            t.maxPositions(),
            result.bundle().medusa().isPresent() ? " and Medusa heads" : "");
        stdout.flush();
      }
      return ExitCodes.OK;
    }
  }

  /** {@code specdec import hf CHECKPOINT OUT}. */
  @Command(
      name = "hf",
      mixinStandardHelpOptions = true,
      description =
          "Imports a Hugging Face Llama-family checkpoint directory (config.json,"
              + " model.safetensors or its index, tokenizer.json).",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:success",
        "1:bad input: checkpoint missing or unsupported, OUT exists, no Python 3 with numpy and"
            + " onnx",
        "2:bad command line",
        "70:internal error (stack trace printed)"
      })
  static final class Hf extends Format {
    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "The checkpoint directory.")
    Path checkpoint;

    @Parameters(
        index = "1",
        paramLabel = "OUT",
        description = "The bundle folder to write; must not exist.")
    Path out;

    @Option(
        names = "--tokenizer",
        paramLabel = "FILE",
        description = "A tokenizer.json to use instead of the checkpoint's.")
    Path tokenizer;

    @Option(
        names = "--medusa",
        paramLabel = "FILE",
        description = "Medusa heads to import with it (FasterDecoding layout, .safetensors).")
    Path medusa;

    @Override
    ModelImporter.Request request(CommandLine cmd) {
      return new ModelImporter.Request(
          ModelImporter.Source.HF,
          checkpoint,
          Optional.ofNullable(tokenizer),
          Optional.ofNullable(medusa),
          Optional.ofNullable(name),
          Optional.empty(),
          Optional.empty());
    }

    @Override
    Path out() {
      return out;
    }
  }

  /** {@code specdec import llama2c CHECKPOINT TOKENIZER OUT}. */
  @Command(
      name = "llama2c",
      mixinStandardHelpOptions = true,
      description =
          "Imports a llama2.c checkpoint (karpathy/llama2.c run.c format: legacy fp32 or version"
              + " 1) with its tokenizer.bin.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:success",
        "1:bad input: checkpoint or tokenizer missing or malformed, OUT exists, no Python 3 with"
            + " numpy and onnx",
        "2:bad command line",
        "70:internal error (stack trace printed)"
      })
  static final class Llama2c extends Format {
    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "The checkpoint (.bin).")
    Path checkpoint;

    @Parameters(index = "1", paramLabel = "TOKENIZER", description = "llama2.c's tokenizer.bin.")
    Path tokenizer;

    @Parameters(
        index = "2",
        paramLabel = "OUT",
        description = "The bundle folder to write; must not exist.")
    Path out;

    @Option(
        names = "--bos",
        paramLabel = "ID",
        description = "BOS token id (llama2.c files do not say). Default: 1.")
    Integer bos;

    @Option(names = "--eos", paramLabel = "ID", description = "EOS token id. Default: 2.")
    Integer eos;

    @Override
    ModelImporter.Request request(CommandLine cmd) {
      return new ModelImporter.Request(
          ModelImporter.Source.LLAMA2C,
          checkpoint,
          Optional.of(tokenizer),
          Optional.empty(),
          Optional.ofNullable(name),
          Optional.ofNullable(bos),
          Optional.ofNullable(eos));
    }

    @Override
    Path out() {
      return out;
    }
  }
}
