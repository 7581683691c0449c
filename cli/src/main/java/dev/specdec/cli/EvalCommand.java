package dev.specdec.cli;

import dev.specdec.eval.AcceptanceEval;
import dev.specdec.eval.BenchConfig;
import dev.specdec.eval.BenchPrompt;
import dev.specdec.eval.EvalReport;
import dev.specdec.eval.PromptFile;
import dev.specdec.eval.report.EvalReportWriter;
import dev.specdec.runtime.ModelBundle;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code specdec eval}: acceptance rates and speedups of configurations over a prompt set. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs a prompt set through one or more configurations (drafter x tree x acceptance rule x"
          + " sampling) and writes a report: report.json (complete), steps.jsonl (every step),"
          + " summary.csv (config x category), summary.md and report.html with PNG charts.",
      "Per prompt: one speculative run (every step recorded) and one plain run of the same"
          + " target and seed; tau, acceptance, acceptance by depth, accepted-length histogram,"
          + " top-k accuracy by depth, predicted and observed speedup, tokens/s, 95% intervals;"
          + " degenerate (looping) outputs, and tau and acceptance without them."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:bad input: bundle, model, prompt file, prompt too long, device unavailable, output dir",
      "2:bad command line (including a bad --config)",
      "70:internal error (stack trace printed)"
    })
final class EvalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ModelOptions model;

  @Option(
      names = "--prompts",
      paramLabel = "FILE",
      required = true,
      description =
          "Prompt set: JSON Lines with \"prompt\" (and optional \"id\", \"category\") or"
              + " Spec-Bench's \"question_id\", \"category\", \"turns\"; or a .txt file with"
              + " prompts separated by blank lines. Shipped sets: eval/prompts/.")
  Path prompts;

  @Option(
      names = "--config",
      paramLabel = "NAME=SPEC",
      description =
          "A config to evaluate (repeatable); SPEC as for bench: drafter, k, temperature, top-k,"
              + " top-p, ngram-max, ngram-min, branches, acceptance, tree. Default: one config"
              + " per drafter the bundle can run, with the bundle's settings.")
  List<String> configs = new ArrayList<>();

  @Mixin ConfigSetOptions configSet;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "eval-report",
      description = "Directory for the report files (created). Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--warmup",
      paramLabel = "W",
      defaultValue = "1",
      description =
          "Untimed runs of each decoder on the first prompt per config, >= 0. Default:"
              + " ${DEFAULT-VALUE}.")
  int warmup;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "0",
      description = "Seed of every run. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--truncate-prompts",
      description =
          "Cut prompts that leave less room than --max-new-tokens from the left (BOS kept), so"
              + " code prefixes longer than a small model's context can still be evaluated.")
  boolean truncatePrompts;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    if (warmup < 0) {
      throw new ParameterException(cmd, "--warmup must be >= 0, was " + warmup);
    }
    configSet.validate(cmd);
    List<BenchPrompt> set = PromptFile.read(prompts);
    ModelBundle bundle = ModelBundle.load(model.bundleDirectory());
    List<BenchConfig> parsed = configs(cmd, bundle);
    ProgressBar progress = ProgressBar.onTerminal(cmd.getErr());
    EvalReport report =
        new AcceptanceEval(warmup, truncatePrompts)
            .run(bundle, model.device, parsed, set, progress);
    progress.finish();
    // originalArgs() starts with the subcommand's name ("eval").
    String command = "specdec " + String.join(" ", cmd.getParseResult().originalArgs());
    List<Path> files;
    try {
      files = EvalReportWriter.write(report, command, out);
    } catch (java.io.IOException e) {
      throw new UserException("cannot write the report into " + out + ": " + e.getMessage(), e);
    }
    PrintWriter stdout = cmd.getOut();
    stdout.print(EvalReportWriter.overviewTable(report));
    stdout.println();
    stdout.println("Report written to " + out + ":");
    for (Path file : files) {
      stdout.println("  " + file);
    }
    stdout.flush();
    return ExitCodes.OK;
  }

  /**
   * The configs given, or one per runnable drafter; a bad spec or repeated name is a usage error.
   */
  private List<BenchConfig> configs(CommandLine cmd, ModelBundle bundle) {
    return configSet.configs(
        cmd,
        configs,
        bundle,
        seed,
        () -> {
          List<BenchConfig> defaults =
              AcceptanceEval.defaultConfigs(bundle, () -> configSet.base(bundle, seed));
          if (defaults.isEmpty()) {
            throw new IllegalArgumentException("bundle " + bundle.name() + " runs no drafter");
          }
          return defaults;
        });
  }
}
