package dev.specdec.cli;

import dev.specdec.eval.BenchConfig;
import dev.specdec.eval.BenchPrompt;
import dev.specdec.eval.BenchReport;
import dev.specdec.eval.DecodeOptions;
import dev.specdec.eval.PassCosts;
import dev.specdec.eval.PromptFile;
import dev.specdec.eval.SpeedBenchmark;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.verification.PassCost;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

/** {@code specdec bench}: speedup over plain decoding, measured over a prompt set. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measures end-to-end speedup over plain decoding of the same target on a prompt set.",
      "Per config and prompt: warm-up runs (untimed), then rounds that alternate a speculative and"
          + " a plain run with the same seed. Speedup per round = speculative tokens/s / plain"
          + " tokens/s (prefill included); reported as median, min and max, with tau and"
          + " acceptance from the totals of all speculative runs."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:bad input: bundle, model, prompt file, prompt too long, device unavailable",
      "2:bad command line (including a bad --config)",
      "70:internal error (stack trace printed)",
      "130:interrupted by SIGINT (Ctrl-C): the rounds done so far are printed, marked incomplete",
      "143:stopped by SIGTERM, as for 130"
    })
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ParentCommand SpecdecCommand parent;

  @Mixin ModelOptions model;

  @Option(
      names = "--prompts",
      paramLabel = "FILE",
      description =
          "Required unless --pass-costs. Prompt set: JSON Lines with \"prompt\" (and optional \"id\", \"category\") or"
              + " Spec-Bench's \"question_id\", \"category\", \"turns\" (first turn used); or a"
              + " .txt file with prompts separated by blank lines.")
  Path prompts;

  @Option(
      names = "--config",
      paramLabel = "NAME=SPEC",
      description =
          "A config to measure (repeatable). SPEC: comma-separated key=value with keys drafter"
              + " (none|draft|lookup|lookup+draft|mtp|medusa), k, temperature, top-k, top-p,"
              + " ngram-max, ngram-min, branches, depth, mtp-branches, acceptance"
              + " (greedy|rejection|typical[:EPS;DELTA]), tree (as --tree of decode,"
              + " with ';' for ',' in dynamic trees), budget (fixed|auto, as --budget); keys left"
              + " out take the bundle's defaults."
              + " Default: one"
              + " config named after the bundle's default drafter, with all defaults.")
  List<String> configs = new ArrayList<>();

  @Mixin ConfigSetOptions configSet;

  @Option(
      names = "--repeats",
      paramLabel = "R",
      defaultValue = "5",
      description = "Measured rounds per prompt and config, >= 1. Default: ${DEFAULT-VALUE}.")
  int repeats;

  @Option(
      names = "--warmup",
      paramLabel = "W",
      defaultValue = "1",
      description =
          "Untimed warm-up runs of each decoder per prompt and config, >= 0. Default:"
              + " ${DEFAULT-VALUE}.")
  int warmup;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "0",
      description = "Seed of round 0; round r uses S + r. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--json",
      description = "Print only a JSON object with the settings and one entry per config.")
  boolean json;

  @Option(
      names = "--pass-costs",
      description =
          "Print the cost model that --budget auto uses instead of benchmarking: the target's (and"
              + " draft model's) time per pass over T tokens at two past lengths, from the cache"
              + " or a probe of well under a second.")
  boolean passCosts;

  @Option(
      names = "--refresh",
      description = "With --pass-costs: probe again even when cached costs exist, and save them.")
  boolean refresh;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    if (passCosts) {
      Map<String, PassCost> costs =
          PassCosts.measure(
              ModelBundle.load(model.bundleDirectory()),
              model.device,
              model.threads.engineOptions(cmd),
              refresh);
      cmd.getOut().print(json ? PassCosts.toJson(costs) + "\n" : PassCosts.toText(costs));
      cmd.getOut().flush();
      return ExitCodes.OK;
    }
    if (prompts == null) {
      throw new ParameterException(cmd, "Missing required option: '--prompts=FILE'");
    }
    if (refresh) {
      throw new ParameterException(cmd, "--refresh goes with --pass-costs");
    }
    if (repeats < 1) {
      throw new ParameterException(cmd, "--repeats must be >= 1, was " + repeats);
    }
    if (warmup < 0) {
      throw new ParameterException(cmd, "--warmup must be >= 0, was " + warmup);
    }
    configSet.validate(cmd);
    List<BenchPrompt> set = PromptFile.read(prompts);
    ModelBundle bundle = ModelBundle.load(model.bundleDirectory());
    List<BenchConfig> parsed = configs(cmd, bundle, set);
    PrintWriter err = cmd.getErr();
    SpeedBenchmark.Progress progress =
        (config, index, count) -> {
          err.println("config " + config.name() + ": prompt " + index + "/" + count);
          err.flush();
        };
    Interruption interruption = parent.interruption();
    BenchReport report =
        new SpeedBenchmark(repeats, warmup)
            .run(
                bundle,
                model.device,
                model.threads.engineOptions(cmd),
                parsed,
                set,
                progress,
                interruption.cancellation());
    PrintWriter out = cmd.getOut();
    if (json) {
      out.println(report.toJson());
    } else {
      out.print(report.toText());
    }
    out.flush();
    if (interruption.interrupted()) {
      return interruption.report(
          err,
          "stopped early; the report holds only the rounds that finished (\"complete\": false)");
    }
    return ExitCodes.OK;
  }

  /** The configs given, or the bundle's default; a bad spec or a repeated name is a usage error. */
  private List<BenchConfig> configs(CommandLine cmd, ModelBundle bundle, List<BenchPrompt> prompts)
      throws UserException {
    return configSet.configs(
        cmd,
        configs,
        bundle,
        seed,
        prompts,
        model.threads.engineOptions(cmd).intraOpThreads(),
        Optional.empty(),
        () -> {
          DecodeOptions options = configSet.base(bundle, seed, Optional.empty()).build();
          return List.of(new BenchConfig(options.drafter().name(), options));
        });
  }
}
