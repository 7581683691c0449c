package dev.specdec.cli;

import dev.specdec.eval.HeadAccuracies;
import dev.specdec.eval.HeadAccuracyProbe;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.tree.TreeSearch;
import dev.specdec.tree.TreeShape;
import dev.specdec.tree.TreeShapes;
import dev.specdec.tree.TreeSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code specdec tree}: build, show and measure static token trees. */
@Command(
    name = "tree",
    mixinStandardHelpOptions = true,
    description = "Static token trees: build one from measured head accuracies, show one, measure.",
    subcommands = {
      TreeCommand.Build.class,
      TreeCommand.Show.class,
      TreeCommand.Accuracies.class,
      CommandLine.HelpCommand.class
    })
final class TreeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("specdec: error: missing a tree command (build, show)");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** {@code specdec tree build}: the Medusa paper's greedy tree for a node budget. */
  @Command(
      name = "build",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Builds the tree of N drafts that maximizes the expected accepted length, given per-head"
            + " per-rank accuracies (the Medusa paper's greedy construction: add the node of"
            + " highest path probability, heads assumed independent), and writes it as a choice"
            + " list (JSON).",
        "The expected accepted length tau = 1 + sum over nodes of the product of their ranks'"
            + " accuracies goes to stderr."
      })
  static final class Build implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--budget",
        paramLabel = "N",
        required = true,
        description = "Draft nodes in the tree (root excluded), in [1, 64].")
    int budget;

    @Option(
        names = "--accuracies",
        paramLabel = "FILE|A",
        required = true,
        description =
            "Per-rank accuracies: a JSON file as written by 'specdec tree accuracies'"
                + " ({\"accuracies\": [[head 0 rank 0, rank 1, ...], ...]}), or inline, ranks by"
                + " commas and heads by semicolons, e.g. 0.6,0.15,0.05;0.4,0.1.")
    String accuracies;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description = "Write the choice list to FILE instead of stdout.")
    Path output;

    @Override
    public Integer call() throws IOException {
      if (budget < 1 || budget > 64) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--budget must be in [1, 64], was " + budget);
      }
      HeadAccuracies acc = readAccuracies(spec.commandLine(), accuracies);
      TreeShape shape = TreeSearch.maximizeExpectedLength(acc.perRank(), budget);
      double expected = TreeSearch.expectedAcceptedDrafts(shape, acc.perRank());
      String json = shape.toChoiceList() + System.lineSeparator();
      if (output != null) {
        Files.writeString(output, json);
      } else {
        spec.commandLine().getOut().print(json);
        spec.commandLine().getOut().flush();
      }
      PrintWriter err = spec.commandLine().getErr();
      err.printf(
          Locale.ROOT,
          "%d drafts, depth %d, top-k %d: expected tau %.4f%n",
          shape.size() - 1,
          shape.maxDepth(),
          shape.maxTopK(),
          1 + expected);
      err.flush();
      return ExitCodes.OK;
    }
  }

  /** {@code specdec tree show}: print a tree readably. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Prints a static tree: a summary line, then one node per line by depth.")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(
        paramLabel = "TREE",
        converter = TreeOption.Converter.class,
        description = "A shipped tree or a JSON choice-list FILE (FILE#NAME).")
    TreeSpec tree;

    @Option(
        names = "--accuracies",
        paramLabel = "FILE|A",
        description = "Also print the expected tau under these per-rank accuracies.")
    String accuracies;

    @Option(names = "--json", description = "Print only the choice list.")
    boolean json;

    @Override
    public Integer call() throws IOException {
      if (!(tree instanceof TreeSpec.Static fixed)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            tree.describe()
                + " is grown anew at every step from the draft probabilities: there is no fixed"
                + " tree to show; give a shipped tree ("
                + String.join(", ", TreeShapes.SHIPPED)
                + ") or a file");
      }
      // Read before anything is printed: a bad value must not follow half an answer.
      HeadAccuracies acc =
          accuracies != null ? readAccuracies(spec.commandLine(), accuracies) : null;
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(fixed.shape().toChoiceList());
      } else {
        out.println(fixed.name() + ": " + fixed.shape().render().stripTrailing());
        if (acc != null) {
          out.printf(
              Locale.ROOT,
              "expected tau %.4f%n",
              1 + TreeSearch.expectedAcceptedDrafts(fixed.shape(), acc.perRank()));
        }
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  /**
   * {@code --accuracies}: a file's content is bad input (exit 1); an inline value that does not
   * parse is a bad command line (exit 2).
   */
  static HeadAccuracies readAccuracies(CommandLine cmd, String value) throws IOException {
    try {
      return HeadAccuracies.read(value);
    } catch (IllegalArgumentException e) {
      if (Files.isRegularFile(Path.of(value))) {
        throw e;
      }
      throw new CommandLine.ParameterException(cmd, "--accuracies: " + e.getMessage(), e);
    }
  }

  /** {@code specdec tree accuracies}: measure a bundle's Medusa heads on a text. */
  @Command(
      name = "accuracies",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Measures the per-head, per-rank accuracies of the bundle's Medusa heads on a text: the"
            + " fraction of positions where the true token k + 2 ahead is exactly head k's rank-r"
            + " candidate. Writes the JSON that 'specdec tree build --accuracies' reads.",
        "The text is run in windows of the target's context length."
      })
  static final class Accuracies implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ModelOptions model;

    @Option(
        names = "--text-file",
        paramLabel = "FILE",
        required = true,
        description = "Text to measure on (UTF-8), ideally held out from the heads' training.")
    Path textFile;

    @Option(
        names = "--ranks",
        paramLabel = "R",
        defaultValue = "10",
        description = "Ranks to tell apart per head. Default: ${DEFAULT-VALUE}.")
    int ranks;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description = "Write the JSON to FILE instead of stdout.")
    Path output;

    @Override
    public Integer call() throws Exception {
      if (!Files.isRegularFile(textFile)) {
        throw new UserException("text file does not exist: " + textFile);
      }
      String text = Files.readString(textFile);
      ModelBundle bundle = ModelBundle.load(model.bundleDirectory());
      HeadAccuracies acc =
          HeadAccuracyProbe.measure(
              bundle, model.device, model.threads.engineOptions(spec.commandLine()), text, ranks);
      String json = acc.toJson() + System.lineSeparator();
      if (output != null) {
        Files.writeString(output, json);
      } else {
        spec.commandLine().getOut().print(json);
        spec.commandLine().getOut().flush();
      }
      return ExitCodes.OK;
    }
  }
}
