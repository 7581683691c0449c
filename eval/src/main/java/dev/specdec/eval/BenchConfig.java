package dev.specdec.eval;

import dev.specdec.DrafterSpec;
import dev.specdec.tree.TreeSpec;
import dev.specdec.verification.AcceptanceRule;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One configuration that {@code specdec bench} and {@code specdec eval} run against plain decoding:
 * drafter × tree × acceptance rule × sampling. One spec syntax serves both commands.
 *
 * @param name the name reports show, not empty
 * @param options the settings of the speculative runs; the baseline runs use the same sampling,
 *     seed and length with no drafter
 * @param categories the prompt categories this config runs on ({@link EvalReport#UNCATEGORIZED} for
 *     prompts without one); empty: every prompt. A tuning profile gives each category its own
 *     config this way
 */
public record BenchConfig(String name, DecodeOptions options, Set<String> categories) {

  /** A config that runs on every prompt. */
  public BenchConfig(String name, DecodeOptions options) {
    this(name, options, Set.of());
  }

  /** The keys a spec may set, in the order {@link #spec()} writes them. */
  public static final List<String> KEYS =
      List.of(
          "drafter",
          "k",
          "temperature",
          "top-k",
          "top-p",
          "ngram-max",
          "ngram-min",
          "branches",
          "depth",
          "mtp-branches",
          "acceptance",
          "tree",
          "budget");

  /** Validates presence and that the name is not blank. */
  public BenchConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(options, "options");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a config's name must not be blank");
    }
    categories = Set.copyOf(categories);
  }

  /** This config restricted to the prompts of {@code only} (not empty). */
  public BenchConfig onlyFor(Set<String> only) {
    if (only.isEmpty()) {
      throw new IllegalArgumentException("config " + name + ": no categories to restrict to");
    }
    return new BenchConfig(name, options, only);
  }

  /** The prompts of {@code prompts} this config runs on, in order. */
  public List<BenchPrompt> promptsOf(List<BenchPrompt> prompts) {
    if (categories.isEmpty()) {
      return prompts;
    }
    return prompts.stream()
        .filter(p -> categories.contains(p.category().orElse(EvalReport.UNCATEGORIZED)))
        .toList();
  }

  /**
   * Parses {@code NAME=SPEC}: the name, then a spec as {@link #parse(String, String,
   * DecodeOptions.Builder)} reads it.
   *
   * @throws IllegalArgumentException when there is no {@code =} or the spec is invalid
   */
  public static BenchConfig parse(String nameAndSpec, DecodeOptions.Builder base) {
    int eq = nameAndSpec.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException(
          "config '" + nameAndSpec + "' must be NAME=SPEC, e.g. fast=drafter=lookup,k=8");
    }
    return parse(nameAndSpec.substring(0, eq), nameAndSpec.substring(eq + 1), base);
  }

  /**
   * The config named {@code name} whose options are {@code base} with the settings of {@code spec}
   * applied: comma-separated {@code key=value} pairs with the keys of {@link #KEYS} ({@code k} is
   * the draft tokens per step). An empty spec keeps {@code base} as it is. {@code base} is changed.
   *
   * @throws IllegalArgumentException naming the pair at fault: an unknown key (with the valid
   *     ones), a key given twice, a value that does not parse, or settings that {@link
   *     DecodeOptions.Builder#build()} rejects
   */
  public static BenchConfig parse(String name, String spec, DecodeOptions.Builder base) {
    Objects.requireNonNull(spec, "spec");
    Set<String> seen = new HashSet<>();
    for (String pair : spec.split(",", -1)) {
      if (pair.isBlank() && spec.isBlank()) {
        break;
      }
      int eq = pair.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(
            "config " + name + ": '" + pair.strip() + "' must be key=value; keys: " + keys());
      }
      String key = pair.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      String value = pair.substring(eq + 1).strip();
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "config " + name + ": unknown key '" + key + "'; valid keys: " + keys());
      }
      if (!seen.add(key)) {
        throw new IllegalArgumentException("config " + name + ": key '" + key + "' given twice");
      }
      apply(name, key, value, base);
    }
    DecodeOptions options;
    try {
      options = base.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("config " + name + ": " + e.getMessage(), e);
    }
    return new BenchConfig(name, options);
  }

  private static void apply(String name, String key, String value, DecodeOptions.Builder base) {
    switch (key) {
      case "drafter" -> base.drafter(drafter(name, value));
      case "k" -> base.draftTokens(integer(name, key, value));
      case "temperature" -> base.temperature(decimal(name, key, value));
      case "top-k" -> base.topK(integer(name, key, value));
      case "top-p" -> base.topP(decimal(name, key, value));
      case "ngram-max" -> base.ngramMax(integer(name, key, value));
      case "ngram-min" -> base.ngramMin(integer(name, key, value));
      case "branches" -> base.branches(integer(name, key, value));
      case "acceptance" -> base.acceptance(acceptance(name, value));
      case "depth" -> base.depth(integer(name, key, value));
      case "mtp-branches" -> base.mtpBranches(integer(name, key, value));
      // A dynamic tree's own commas would split the spec: write it with ';' (budget=8;depth=4;...).
      case "tree" -> base.tree(TreeSpec.parse(value.replace(';', ',')));
      case "budget" -> base.budget(budget(name, value));
      default -> throw new IllegalStateException("key " + key + " is in KEYS but not handled");
    }
  }

  /**
   * The options as a spec that parses back to them: drafter, k, temperature, top-k, top-p, with a
   * lookup drafter ngram-max, ngram-min and branches, with the mtp drafter depth and mtp-branches,
   * an explicit acceptance rule, a tree, and the budget (whose default depends on the sampling) for
   * a drafter that drafts.
   */
  public String spec() {
    StringBuilder spec =
        new StringBuilder()
            .append("drafter=")
            .append(options.drafter().name())
            .append(",k=")
            .append(options.draftTokens())
            .append(",temperature=")
            .append(options.sampling().temperature())
            .append(",top-k=")
            .append(options.sampling().topK())
            .append(",top-p=")
            .append(options.sampling().topP());
    switch (options.drafter()) {
      case DrafterSpec.Lookup l -> appendLookup(spec, l.ngramMax(), l.ngramMin(), l.branches());
      case DrafterSpec.LookupThenDraft l ->
          appendLookup(spec, l.ngramMax(), l.ngramMin(), l.branches());
      case DrafterSpec.Mtp m ->
          spec.append(",depth=").append(m.depth()).append(",mtp-branches=").append(m.branches());
      default -> {}
    }
    options
        .tree()
        .ifPresent(tree -> spec.append(",tree=").append(tree.describe().replace(',', ';')));
    options
        .acceptance()
        .ifPresent(rule -> spec.append(",acceptance=").append(acceptanceSpec(rule)));
    if (!(options.drafter() instanceof DrafterSpec.None)) {
      spec.append(",budget=").append(options.budget());
    }
    return spec.toString();
  }

  private static void appendLookup(StringBuilder spec, int ngramMax, int ngramMin, int branches) {
    spec.append(",ngram-max=")
        .append(ngramMax)
        .append(",ngram-min=")
        .append(ngramMin)
        .append(",branches=")
        .append(branches);
  }

  private static BudgetMode budget(String name, String value) {
    try {
      return BudgetMode.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("config " + name + ": " + e.getMessage(), e);
    }
  }

  private static String drafter(String name, String value) {
    String lower = value.toLowerCase(Locale.ROOT);
    if (!DecodeOptions.DRAFTERS.contains(lower)) {
      throw new IllegalArgumentException(
          "config "
              + name
              + ": unknown drafter '"
              + value
              + "', expected one of "
              + DecodeOptions.DRAFTERS);
    }
    return lower;
  }

  private static AcceptanceRule acceptance(String name, String value) {
    try {
      return DecodeOptions.parseAcceptance(value.replace(';', ','));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "config " + name + ": " + e.getMessage() + " (in a spec write typical:EPS;DELTA)", e);
    }
  }

  /**
   * The {@link DecodeOptions#maxNewTokens()} all of {@code configs} (not empty) share: runs that
   * compare configs must decode the same number of tokens.
   *
   * @throws IllegalArgumentException naming the first config that differs from the first one
   */
  static int sharedMaxNewTokens(List<BenchConfig> configs) {
    int maxNewTokens = configs.get(0).options().maxNewTokens();
    for (BenchConfig config : configs) {
      if (config.options().maxNewTokens() != maxNewTokens) {
        throw new IllegalArgumentException(
            "configs must share max new tokens: "
                + configs.get(0).name()
                + " has "
                + maxNewTokens
                + ", "
                + config.name()
                + " has "
                + config.options().maxNewTokens());
      }
    }
    return maxNewTokens;
  }

  /** A rule as {@code acceptance=} takes it: the comma of typical's parameters as ';'. */
  static String acceptanceSpec(AcceptanceRule rule) {
    return switch (rule) {
      case AcceptanceRule.Greedy g -> "greedy";
      case AcceptanceRule.RejectionSampling r -> "rejection";
      case AcceptanceRule.Typical t -> "typical:" + t.epsilon() + ";" + t.delta();
    };
  }

  private static int integer(String name, String key, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "config " + name + ": " + key + " must be an integer, was '" + value + "'", e);
    }
  }

  private static double decimal(String name, String key, String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "config " + name + ": " + key + " must be a number, was '" + value + "'", e);
    }
  }

  private static String keys() {
    return String.join(", ", KEYS);
  }
}
