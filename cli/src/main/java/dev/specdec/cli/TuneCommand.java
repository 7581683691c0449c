package dev.specdec.cli;

import dev.specdec.eval.BenchConfig;
import dev.specdec.eval.BenchPrompt;
import dev.specdec.eval.BenchResult;
import dev.specdec.eval.BudgetMode;
import dev.specdec.eval.CostModel;
import dev.specdec.eval.DecodeOptions;
import dev.specdec.eval.PromptFile;
import dev.specdec.eval.ReportJson;
import dev.specdec.eval.TuneProfile;
import dev.specdec.eval.Tuner;
import dev.specdec.eval.report.EvalReportWriter;
import dev.specdec.runtime.EngineOptions;
import dev.specdec.runtime.ModelBundle;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code specdec tune}: which drafter and settings pay on this machine, written as a profile. */
@Command(
    name = "tune",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Finds the drafter and settings that pay on this machine for a bundle and a prompt set, and"
          + " writes them as a profile that decode, bench and eval read with --profile.",
      "Sweep: every candidate (draft k 1..8 and shipped trees, lookup, Medusa trees, MTP depth and"
          + " branches, adaptive budgets, and plain decoding) decodes a few prompts per category"
          + " for --sweep-tokens tokens; its speedup is predicted from the step records and the"
          + " target's pass cost, not timed. Measure: per category and overall the best"
          + " --shortlist by prediction, and plain decoding, run interleaved with plain decoding"
          + " as in bench. The profile names the best measured config per category and overall,"
          + " with its speedup and the machine."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:bad input: bundle, model, prompt file, prompt too long, device unavailable, profile path",
      "2:bad command line (including a bad --config)",
      "70:internal error (stack trace printed)",
      "130:interrupted by SIGINT (Ctrl-C): no profile written",
      "143:stopped by SIGTERM, as for 130"
    })
final class TuneCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ParentCommand SpecdecCommand parent;

  @Mixin ModelOptions model;

  @Option(
      names = "--prompts",
      paramLabel = "FILE",
      required = true,
      description = "Prompt set, as for eval and bench; its categories get a config each.")
  Path prompts;

  @Option(
      names = "--profile",
      paramLabel = "FILE",
      required = true,
      description = "Where to write the profile (JSON, replaced whole when it exists).")
  Path profile;

  @Option(
      names = "--config",
      paramLabel = "NAME=SPEC",
      description =
          "A candidate (repeatable), SPEC as for bench; given, these replace the default sweep"
              + " (plain decoding is always a candidate).")
  List<String> configs = new ArrayList<>();

  @Option(
      names = "--max-new-tokens",
      paramLabel = "N",
      defaultValue = "64",
      description = "New tokens per measured run, >= 1. Default: ${DEFAULT-VALUE}.")
  int maxNewTokens;

  @Option(
      names = "--sweep-tokens",
      paramLabel = "N",
      defaultValue = "48",
      description = "New tokens per sweep run, >= 1. Default: ${DEFAULT-VALUE}.")
  int sweepTokens;

  @Option(
      names = "--sweep-prompts",
      paramLabel = "N",
      defaultValue = "1",
      description = "Prompts per category in the sweep, >= 1. Default: ${DEFAULT-VALUE}.")
  int sweepPrompts;

  @Option(
      names = "--shortlist",
      paramLabel = "N",
      defaultValue = "2",
      description =
          "Configs measured per category and overall besides plain decoding, >= 1. Default:"
              + " ${DEFAULT-VALUE}.")
  int shortlist;

  @Option(
      names = "--repeats",
      paramLabel = "R",
      defaultValue = "3",
      description = "Measured rounds per prompt, >= 1. Default: ${DEFAULT-VALUE}.")
  int repeats;

  @Option(
      names = "--warmup",
      paramLabel = "W",
      defaultValue = "1",
      description = "Untimed runs per decoder and prompt, >= 0. Default: ${DEFAULT-VALUE}.")
  int warmup;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "0",
      description = "Seed of the runs. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--raw",
      paramLabel = "DIR",
      description =
          "Also write the sweep (sweep.json: every candidate's metrics and predicted speedup) and"
              + " the measurements (measured.json) into DIR.")
  Path raw;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    Tuner.Settings settings;
    try {
      settings = new Tuner.Settings(sweepTokens, sweepPrompts, shortlist, repeats, warmup);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(cmd, e.getMessage(), e);
    }
    if (maxNewTokens < 1) {
      throw new ParameterException(cmd, "--max-new-tokens must be >= 1, was " + maxNewTokens);
    }
    Path dir = profile.toAbsolutePath().getParent();
    if (Files.isDirectory(profile) || dir == null || !Files.isDirectory(dir)) {
      throw new UserException("--profile " + profile + " must be a file in an existing directory");
    }
    List<BenchPrompt> set = PromptFile.read(prompts);
    ModelBundle bundle = ModelBundle.load(model.bundleDirectory());
    EngineOptions engineOptions = model.threads.engineOptions(cmd);
    List<Tuner.Candidate> candidates = candidates(cmd, bundle);
    Tuner.ConfigMaker configOf =
        (c, tokens) -> {
          // A candidate without a budget key is measured as written: fixed.
          DecodeOptions.Builder base =
              DecodeOptions.defaultsFor(bundle)
                  .seed(seed)
                  .maxNewTokens(tokens)
                  .budget(BudgetMode.FIXED);
          return BenchConfig.parse(c.name(), c.spec(), base);
        };
    PrintWriter err = cmd.getErr();
    Tuner.Progress progress =
        new Tuner.Progress() {
          @Override
          public void onStage(String stage) {
            err.println(stage);
            err.flush();
          }

          @Override
          public void onPrompt(BenchConfig config, int index, int count) {
            err.println("config " + config.name() + ": prompt " + index + "/" + count);
            err.flush();
          }
        };
    CostModel targetCost = CostModel.probe(bundle, model.device, engineOptions);
    err.print("cost model for the predictions:\n" + targetCost.toText());
    err.flush();
    Interruption interruption = parent.interruption();
    Tuner.Result result;
    try {
      result =
          new Tuner(settings)
              .run(
                  bundle,
                  model.device,
                  engineOptions,
                  candidates,
                  configOf,
                  set,
                  prompts.toString(),
                  maxNewTokens,
                  targetCost,
                  progress,
                  interruption.cancellation());
    } catch (IllegalStateException e) {
      if (interruption.interrupted()) {
        return interruption.report(err, "no profile written");
      }
      throw e;
    }
    result.profile().write(profile);
    if (raw != null) {
      Files.createDirectories(raw);
      Files.writeString(
          raw.resolve("sweep.json"),
          ReportJson.pretty(
                  EvalReportWriter.toJson(
                      result.sweep(),
                      "specdec " + String.join(" ", cmd.getParseResult().originalArgs())))
              + "\n");
      Files.writeString(raw.resolve("measured.json"), result.measured().toJson() + "\n");
    }
    PrintWriter out = cmd.getOut();
    out.print(summary(result));
    out.println("Profile written to " + profile);
    out.flush();
    return ExitCodes.OK;
  }

  private List<Tuner.Candidate> candidates(CommandLine cmd, ModelBundle bundle) {
    if (configs.isEmpty()) {
      return Tuner.candidates(bundle);
    }
    List<Tuner.Candidate> out = new ArrayList<>();
    for (String c : configs) {
      int eq = c.indexOf('=');
      if (eq <= 0) {
        throw new ParameterException(
            cmd, "--config: '" + c + "' must be NAME=SPEC, e.g. k2=drafter=draft,k=2");
      }
      String name = c.substring(0, eq);
      String specText = c.substring(eq + 1);
      try {
        BenchConfig.parse(
            name, specText, DecodeOptions.defaultsFor(bundle).budget(BudgetMode.FIXED));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(cmd, "--config: " + e.getMessage(), e);
      }
      out.add(new Tuner.Candidate(name, specText));
    }
    return out;
  }

  /** The sweep ranked by prediction, and the profile's choices with what they measured. */
  static String summary(Tuner.Result result) {
    StringBuilder out = new StringBuilder();
    TuneProfile p = result.profile();
    out.append("Sweep (predicted speedup over plain decoding, all sweep prompts):\n");
    p.sweep().stream()
        .sorted((a, b) -> Double.compare(b.predictedSpeedup(), a.predictedSpeedup()))
        .forEach(
            c ->
                out.append(
                    String.format(
                        Locale.ROOT,
                        "  %-18s %6.2fx  %s%n",
                        c.name(),
                        c.predictedSpeedup(),
                        c.spec())));
    out.append("Measured (median speedup [min, max]):\n");
    for (BenchResult r : result.measured().configs()) {
      out.append(
          String.format(
              Locale.ROOT,
              "  %-30s %6.2fx [%.2f, %.2f]%n",
              r.config().name(),
              r.medianSpeedup(),
              r.minSpeedup(),
              r.maxSpeedup()));
    }
    out.append(
        String.format(
            Locale.ROOT,
            "Best overall: %s (%s), measured %.2fx, predicted %.2fx%n",
            p.overall().name(),
            p.overall().spec(),
            p.overall().measuredSpeedup(),
            p.overall().predictedSpeedup()));
    p.categories()
        .forEach(
            (category, c) ->
                out.append(
                    String.format(
                        Locale.ROOT,
                        "  %-24s %s, measured %.2fx, predicted %.2fx%n",
                        category,
                        c.name(),
                        c.measuredSpeedup(),
                        c.predictedSpeedup())));
    out.append("Machine: ")
        .append(p.machine().cpu())
        .append(", ")
        .append(p.machine().cores())
        .append(" cores, threads ")
        .append(p.machine().threads())
        .append('\n');
    return out.toString();
  }
}
