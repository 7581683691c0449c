package dev.specdec.cli;

import dev.specdec.eval.AcceptanceEval;
import dev.specdec.eval.BenchConfig;
import dev.specdec.eval.BenchPrompt;
import dev.specdec.eval.BudgetMode;
import dev.specdec.eval.CostModel;
import dev.specdec.eval.EvalReport;
import dev.specdec.eval.PromptFile;
import dev.specdec.eval.report.EvalReportWriter;
import dev.specdec.eval.report.ReportDirectory;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.ModelBundle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code specdec eval}: acceptance rates and speedups of configurations over a prompt set. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs a prompt set through one or more configurations (drafter x tree x acceptance rule x"
          + " sampling) and writes a report: report.json (complete), steps.jsonl.gz (every step),"
          + " summary.csv (config x category), summary.md and report.html with PNG charts.",
      "Per prompt: one speculative run (every step recorded) and one plain run of the same"
          + " target and seed; tau, acceptance, acceptance by depth, accepted-length histogram,"
          + " top-k accuracy by depth, predicted and observed speedup, tokens/s, 95% intervals;"
          + " degenerate (looping) outputs, and tau and acceptance without them.",
      "The files are written beside --out and moved into place when all are complete: a failed or"
          + " interrupted run never leaves a half-written report. Interrupted (Ctrl-C), the report"
          + " of the prompts that finished is published, marked \"complete\": false."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:bad input: bundle, model, prompt file, prompt too long, device unavailable, output dir",
      "2:bad command line (including a bad --config)",
      "70:internal error (stack trace printed)",
      "130:interrupted by SIGINT (Ctrl-C): the prompts that finished are reported, incomplete",
      "143:stopped by SIGTERM, as for 130"
    })
final class EvalCommand implements Callable<Integer> {
  /**
   * The budget of a config that names none: eval measures what a drafter proposes as configured, so
   * it drafts the full k or tree every step unless told otherwise (an adaptive budget would turn
   * speculation off where it does not pay, and its acceptance would no longer describe the
   * drafter).
   */
  private static final Optional<BudgetMode> MEASURED_BUDGET = Optional.of(BudgetMode.FIXED);

  @Spec CommandSpec spec;

  @ParentCommand SpecdecCommand parent;

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
              + " top-p, ngram-max, ngram-min, branches, acceptance, tree, budget (fixed|auto). Default: one config"
              + " per drafter the bundle can run, with the bundle's settings.")
  List<String> configs = new ArrayList<>();

  @Mixin ConfigSetOptions configSet;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "eval-report",
      description =
          "Directory for the report files (created; must be empty unless --force). Default:"
              + " ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--force",
      description = "Replace --out when it is not empty (a previous report), as a whole.")
  boolean force;

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
    List<BenchConfig> parsed = configs(cmd, bundle, set);
    // Before the report directory is staged: a bad --threads leaves --out as it was.
    EngineOptions engineOptions = model.threads.engineOptions(cmd);
    Interruption interruption = parent.interruption();
    PrintWriter stdout = cmd.getOut();
    try (ReportDirectory dir = prepare()) {
      ProgressBar progress = ProgressBar.onTerminal(cmd.getErr());
      // The target's costs on this machine, probed afresh (about a second): what the predicted
      // speedups are priced with (report.json keeps it as "costModel").
      CostModel targetCost = CostModel.probe(bundle, model.device, engineOptions);
      EvalReport report =
          new AcceptanceEval(warmup, truncatePrompts, Optional.of(targetCost))
              .run(
                  bundle,
                  model.device,
                  engineOptions,
                  parsed,
                  set,
                  progress,
                  interruption.cancellation());
      progress.finish();
      if (report.configs().isEmpty()) {
        // Interrupted before any prompt finished: there is nothing to report.
        return interruption.report(
            cmd.getErr(), "no prompt finished, no report written (" + out + " is as it was)");
      }
      // originalArgs() starts with the subcommand's name ("eval").
      String command = "specdec " + String.join(" ", cmd.getParseResult().originalArgs());
      List<Path> files;
      try {
        files = dir.publish(report, command);
      } catch (IOException e) {
        throw new UserException("cannot write the report into " + out + ": " + e.getMessage(), e);
      }
      stdout.print(EvalReportWriter.overviewTable(report));
      stdout.println();
      stdout.println(
          (report.complete() ? "Report" : "Incomplete report") + " written to " + out + ":");
      for (Path file : files) {
        stdout.println("  " + file);
      }
      stdout.flush();
      if (interruption.interrupted()) {
        return interruption.report(
            cmd.getErr(), "stopped early; the report holds the prompts that finished");
      }
    }
    return ExitCodes.OK;
  }

  /** The report's directory, checked and staged before anything is evaluated. */
  private ReportDirectory prepare() throws UserException {
    try {
      return ReportDirectory.prepare(out, force);
    } catch (DirectoryNotEmptyException e) {
      throw new UserException(
          "--out "
              + out
              + " is not empty: pass --force to replace it (the new report is swapped in only"
              + " when complete), or choose another directory",
          e);
    } catch (IOException e) {
      throw new UserException("cannot write the report into " + out + ": " + e.getMessage(), e);
    }
  }

  /**
   * The configs given, or one per runnable drafter; a bad spec or repeated name is a usage error.
   */
  private List<BenchConfig> configs(CommandLine cmd, ModelBundle bundle, List<BenchPrompt> prompts)
      throws UserException {
    return configSet.configs(
        cmd,
        configs,
        bundle,
        seed,
        prompts,
        model.threads.engineOptions(cmd).intraOpThreads(),
        MEASURED_BUDGET,
        () -> {
          List<BenchConfig> defaults =
              AcceptanceEval.defaultConfigs(
                  bundle, () -> configSet.base(bundle, seed, MEASURED_BUDGET));
          if (defaults.isEmpty()) {
            throw new IllegalArgumentException("bundle " + bundle.name() + " runs no drafter");
          }
          return defaults;
        });
  }
}
