package dev.specdec.cli;

import dev.specdec.eval.BenchConfig;
import dev.specdec.eval.BenchPrompt;
import dev.specdec.eval.BudgetMode;
import dev.specdec.eval.DecodeOptions;
import dev.specdec.eval.TuneProfile;
import dev.specdec.runtime.ModelBundle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * What the commands that run a set of named configs over a prompt set ({@code eval}, {@code bench})
 * share: {@code --max-new-tokens}, the options every config starts from, and turning the {@code
 * --config NAME=SPEC} values into configs. Each command keeps its own {@code --config} and {@code
 * --seed} options, whose help says what they mean for that command.
 */
final class ConfigSetOptions {
  @Option(
      names = "--max-new-tokens",
      paramLabel = "N",
      description = "Most tokens per run, >= 1 (EOS stops earlier). Default: the bundle's.")
  Integer maxNewTokens;

  @Mixin BudgetOption budget;

  @Mixin ProfileOption profile;

  /** Rejects a {@code --max-new-tokens} below 1 as a usage error. */
  void validate(CommandLine cmd) {
    if (maxNewTokens != null && maxNewTokens < 1) {
      throw new ParameterException(cmd, "--max-new-tokens must be >= 1, was " + maxNewTokens);
    }
  }

  /**
   * The bundle's defaults with {@code seed}, {@code --max-new-tokens} and {@code --budget} applied
   * (a config's own {@code budget=} key overrides the latter); without {@code --budget}, {@code
   * whenUnset} if present, else the default for the config's sampling.
   */
  DecodeOptions.Builder base(ModelBundle bundle, long seed, Optional<BudgetMode> whenUnset) {
    DecodeOptions.Builder base = DecodeOptions.defaultsFor(bundle).seed(seed);
    if (maxNewTokens != null) {
      base.maxNewTokens(maxNewTokens);
    }
    whenUnset.ifPresent(base::budget);
    budget.applyTo(base);
    return base;
  }

  /**
   * The configs {@code specs} name, each parsed over {@link #base}, or {@code defaults} when there
   * are none; a bad spec, a repeated name or an {@link IllegalArgumentException} from {@code
   * defaults} is a usage error of {@code --config}. With {@code --profile} and no {@code --config}:
   * the profile's best config per category of {@code prompts} ({@link ProfileOption#configs}). With
   * both, the explicit configs win (a note on stderr).
   *
   * @param whenUnset the budget of a config that names none when {@code --budget} is not given;
   *     empty for the default of its sampling
   * @throws UserException for a missing, malformed or mismatched profile
   */
  List<BenchConfig> configs(
      CommandLine cmd,
      List<String> specs,
      ModelBundle bundle,
      long seed,
      List<BenchPrompt> prompts,
      int threads,
      Optional<BudgetMode> whenUnset,
      Supplier<List<BenchConfig>> defaults)
      throws UserException {
    try {
      if (specs.isEmpty() && profile.given()) {
        TuneProfile p = profile.load(bundle, cmd.getErr(), threads);
        return profile.configs(
            p, prompts, () -> base(bundle, seed, whenUnset), budget.budget != null);
      }
      if (profile.given()) {
        cmd.getErr()
            .println("note: --config given, so --profile " + profile.profile + " is not used");
        cmd.getErr().flush();
      }
      if (specs.isEmpty()) {
        return defaults.get();
      }
      List<BenchConfig> parsed = new ArrayList<>();
      Set<String> names = new HashSet<>();
      for (String spec : specs) {
        BenchConfig c = BenchConfig.parse(spec, base(bundle, seed, whenUnset));
        if (!names.add(c.name())) {
          throw new IllegalArgumentException("config name '" + c.name() + "' given twice");
        }
        parsed.add(c);
      }
      return parsed;
    } catch (IllegalArgumentException e) {
      throw new ParameterException(cmd, "--config: " + e.getMessage(), e);
    }
  }
}
