package dev.specdec.cli;

import dev.specdec.eval.BenchConfig;
import dev.specdec.eval.BenchPrompt;
import dev.specdec.eval.DecodeOptions;
import dev.specdec.eval.EvalReport;
import dev.specdec.eval.ProfileException;
import dev.specdec.eval.TuneProfile;
import dev.specdec.runtime.ModelBundle;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * {@code --profile FILE}: a profile written by {@code specdec tune}, whose best config a decoding
 * command uses when its command line names no drafter (explicit options win).
 */
final class ProfileOption {
  @Option(
      names = "--profile",
      paramLabel = "FILE",
      description =
          "A profile written by specdec tune: when no drafter (--drafter, --config) is given, use"
              + " the profile's best config for each prompt's category (or its overall best);"
              + " other options given explicitly still win.")
  Path profile;

  /** Whether a profile was given. */
  boolean given() {
    return profile != null;
  }

  /**
   * The profile, checked against {@code bundle}; a note on {@code err} when it was measured on
   * another machine (its speedups need not hold here, the config still runs).
   *
   * @throws UserException for a missing, malformed or mismatched profile, with what to do
   */
  TuneProfile load(ModelBundle bundle, PrintWriter err, int threads) throws UserException {
    try {
      TuneProfile p = TuneProfile.read(profile);
      p.requireFor(bundle, profile);
      p.machineMismatch(TuneProfile.Machine.current(threads, p.machine().passCostKey()))
          .ifPresent(
              diff -> {
                err.println(
                    "note: profile "
                        + profile
                        + " was measured on another machine ("
                        + diff
                        + "); its speedups may not hold here: run specdec tune again");
                err.flush();
              });
      return p;
    } catch (ProfileException e) {
      throw new UserException(e.getMessage(), e);
    }
  }

  /**
   * Applies the profile's config for {@code category} to {@code options}, for a command line that
   * names no drafter; explicit options are applied after it by the caller.
   */
  static TuneProfile.Choice applyTo(
      TuneProfile p, Path file, Optional<String> category, DecodeOptions.Builder options)
      throws UserException {
    TuneProfile.Choice choice = p.choiceFor(category);
    try {
      BenchConfig.parse(choice.name(), withBudget(choice.spec()), options); // the drafter's keys
    } catch (IllegalArgumentException e) {
      throw new UserException(
          "profile " + file + ": " + e.getMessage() + "; make it again with specdec tune", e);
    }
    return choice;
  }

  /**
   * The configs a profile gives a prompt set: for each category of {@code prompts} its best config
   * (the overall best for a category the profile does not know), one config per distinct choice,
   * run on the categories that chose it, named {@code profile:NAME}.
   */
  List<BenchConfig> configs(
      TuneProfile p,
      List<BenchPrompt> prompts,
      Supplier<DecodeOptions.Builder> base,
      boolean budgetGiven)
      throws UserException {
    Map<String, Set<String>> byChoice = new LinkedHashMap<>();
    Map<String, TuneProfile.Choice> choices = new LinkedHashMap<>();
    for (BenchPrompt prompt : prompts) {
      String category = prompt.category().orElse(EvalReport.UNCATEGORIZED);
      TuneProfile.Choice c = p.choiceFor(prompt.category());
      choices.putIfAbsent(c.name(), c);
      byChoice.computeIfAbsent(c.name(), n -> new LinkedHashSet<>()).add(category);
    }
    List<BenchConfig> out = new ArrayList<>();
    for (var e : byChoice.entrySet()) {
      TuneProfile.Choice c = choices.get(e.getKey());
      BenchConfig parsed;
      try {
        String spec = budgetGiven ? withoutKey(c.spec(), "budget") : withBudget(c.spec());
        parsed = BenchConfig.parse("profile:" + c.name(), spec, base.get());
      } catch (IllegalArgumentException ex) {
        throw new UserException(
            "profile " + profile + ": " + ex.getMessage() + "; make it again with specdec tune",
            ex);
      }
      out.add(parsed.onlyFor(e.getValue()));
    }
    return out;
  }

  /**
   * {@code spec} with a budget: profiles that name none ran their configs fixed (tune wrote the
   * budget only when adaptive until the default became adaptive for greedy decoding).
   */
  static String withBudget(String spec) {
    for (String pair : spec.split(",")) {
      if (pair.strip().startsWith("budget=")) {
        return spec;
      }
    }
    return spec + ",budget=fixed";
  }

  /** {@code spec} without its {@code key=...} pair: an explicit option replaces it. */
  static String withoutKey(String spec, String key) {
    List<String> kept = new ArrayList<>();
    for (String pair : spec.split(",")) {
      if (!pair.strip().startsWith(key + "=")) {
        kept.add(pair);
      }
    }
    return String.join(",", kept);
  }
}
