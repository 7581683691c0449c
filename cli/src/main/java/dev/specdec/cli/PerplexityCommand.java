package dev.specdec.cli;

import dev.specdec.eval.Perplexity;
import dev.specdec.eval.PerplexityResult;
import dev.specdec.eval.ReportJson;
import dev.specdec.runtime.ModelBundle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code specdec perplexity}: how well the bundle's target or draft predicts some text files. */
@Command(
    name = "perplexity",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Scores text files with the bundle's target or draft, through the same runtime that decodes:"
          + " prints tokens scored, nats per token (and perplexity), bits per byte and top-1"
          + " accuracy.",
      "Each file is one document, [BOS] + its tokens + [EOS]; every token after BOS is scored"
          + " exactly once. Windows of --context tokens start every --stride tokens, each from an"
          + " empty cache; a window scores only the tokens no earlier window scored, conditioned"
          + " on the tokens before them in the window."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:bad input: bundle, model, text file (missing, unreadable, not UTF-8, empty)",
      "2:bad command line (including a context or stride out of range for the model)",
      "70:internal error (stack trace printed)"
    })
final class PerplexityCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ModelOptions model;

  @Option(
      names = "--model",
      paramLabel = "MODEL",
      defaultValue = "target",
      converter = ModelConverter.class,
      description = "Which model of the bundle to score: target or draft. Default: target.")
  Perplexity.Model scored;

  @Option(
      names = "--text-file",
      paramLabel = "FILE",
      required = true,
      arity = "1..*",
      description = "Text to score (UTF-8), one document per file; repeatable.")
  List<Path> textFiles;

  @Option(
      names = "--context",
      paramLabel = "N",
      description =
          "Tokens fed to the model per window (each predicts the next), in [1, the model's"
              + " context length]. Default: the model's context length.")
  Integer context;

  @Option(
      names = "--stride",
      paramLabel = "S",
      description =
          "Tokens between window starts, in [1, N]. S = N: disjoint windows (every token fed"
              + " once); a smaller S gives every token scored after the first window at least"
              + " N - S + 1 tokens of context, at about N / S times the cost. Default: N.")
  Integer stride;

  @Option(names = "--json", description = "Print only a JSON object with the figures.")
  boolean json;

  /** Parses {@code --model} by the names reports use ({@code target}, {@code draft}), any case. */
  static final class ModelConverter implements ITypeConverter<Perplexity.Model> {
    @Override
    public Perplexity.Model convert(String value) {
      for (Perplexity.Model model : Perplexity.Model.values()) {
        if (model.toString().equalsIgnoreCase(value.strip())) {
          return model;
        }
      }
      throw new TypeConversionException(
          "unknown model '"
              + value
              + "': expected one of "
              + Arrays.toString(Perplexity.Model.values()));
    }
  }

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    validate(cmd);
    List<Perplexity.Text> texts = new ArrayList<>(textFiles.size());
    for (Path file : textFiles) {
      texts.add(new Perplexity.Text(file.toString(), read(file)));
    }
    ModelBundle bundle = ModelBundle.load(model.bundleDirectory());
    try (Perplexity perplexity =
        Perplexity.open(bundle, model.device, model.threads.engineOptions(cmd), scored)) {
      PerplexityResult result = perplexity.score(texts, window(cmd, perplexity));
      PrintWriter out = cmd.getOut();
      out.print(
          json ? ReportJson.pretty(result.toJson()) + System.lineSeparator() : result.toText());
      out.flush();
    }
    return ExitCodes.OK;
  }

  private void validate(CommandLine cmd) {
    if (context != null && context < 1) {
      throw new ParameterException(cmd, "--context must be >= 1, was " + context);
    }
    if (stride != null && stride < 1) {
      throw new ParameterException(cmd, "--stride must be >= 1, was " + stride);
    }
    if (context != null && stride != null && stride > context) {
      throw new ParameterException(
          cmd, "--stride must be in [1, --context = " + context + "], was " + stride);
    }
  }

  /** The window once the model's context length is known; out of range is a bad command line. */
  private Perplexity.Window window(CommandLine cmd, Perplexity perplexity) {
    int capacity = perplexity.capacity();
    if (context != null && context > capacity) {
      throw new ParameterException(
          cmd,
          "--context must be in [1, "
              + capacity
              + "] (the positions the "
              + scored
              + " '"
              + perplexity.info().name()
              + "' holds), was "
              + context);
    }
    int c = context != null ? context : capacity;
    if (stride != null && stride > c) {
      throw new ParameterException(
          cmd,
          "--stride must be in [1, "
              + c
              + "] (the context, the model's length by default), was "
              + stride);
    }
    return Perplexity.Window.of(context, stride, capacity);
  }

  private static String read(Path file) throws UserException {
    if (Files.isDirectory(file)) {
      throw new UserException("text file is a directory: " + file);
    }
    if (!Files.exists(file)) {
      throw new UserException("text file does not exist: " + file);
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (CharacterCodingException e) {
      throw new UserException("text file is not valid UTF-8: " + file, e);
    } catch (IOException e) {
      throw new UserException("cannot read text file " + file + ": " + e, e);
    }
    if (text.isEmpty()) {
      throw new UserException("text file is empty: " + file);
    }
    return text;
  }
}
