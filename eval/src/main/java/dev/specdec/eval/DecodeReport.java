package dev.specdec.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.specdec.DrafterSpec;
import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.DecodeStats;
import dev.specdec.verification.StopReason;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What one decode produced and how it went, for people ({@link #toText()}) and machines ({@link
 * #toJson()}).
 *
 * @param bundle the bundle's name
 * @param text the decoded new tokens
 * @param promptTokenIds the prompt's token ids as the target saw them, BOS included (feed these to
 *     another engine to compare on the same input)
 * @param result the decode (the speculative run when there is a comparison)
 * @param options the settings it ran with
 * @param rule the acceptance rule's name
 * @param comparison the comparison with plain decoding, when one was run; its speculative result is
 *     {@code result}
 */
public record DecodeReport(
    String bundle,
    String text,
    int[] promptTokenIds,
    DecodeResult result,
    DecodeOptions options,
    String rule,
    Optional<Comparison> comparison) {

  /** Validates presence, and that a comparison's speculative run is {@code result}. */
  public DecodeReport {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(comparison, "comparison");
    promptTokenIds = Objects.requireNonNull(promptTokenIds, "promptTokenIds").clone();
    if (comparison.isPresent() && !comparison.get().speculative().equals(result)) {
      throw new IllegalArgumentException(
          "the comparison's speculative run must be the reported result");
    }
  }

  /** The prompt's token ids, BOS included (a copy). */
  @Override
  public int[] promptTokenIds() {
    return promptTokenIds.clone();
  }

  /** The prompt's length in tokens, BOS included. */
  public int promptTokens() {
    return promptTokenIds.length;
  }

  /** The stop reason as reports spell it: {@code stop-token}, {@code max-new-tokens}, ... */
  public static String spell(StopReason reason) {
    return reason.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The report as a JSON object. Non-finite numbers (an acceptance rate with nothing drafted, a
   * rate with no time measured) are {@code null}. With a tree it adds {@code tree}; with a lookup
   * drafter it adds {@code ngramMax}, {@code ngramMin} and {@code branches}; with the mtp drafter
   * {@code depth} and {@code branches}; with a comparison it adds {@code baselineTokensPerSecond},
   * {@code speedup} and {@code identicalToBaseline}, among others.
   */
  public JsonObject toJsonObject() {
    DecodeStats stats = result.stats();
    JsonObject json = new JsonObject();
    json.addProperty("bundle", bundle);
    json.addProperty("text", text);
    JsonArray ids = new JsonArray();
    for (int id : result.tokens()) {
      ids.add(id);
    }
    json.add("tokenIds", ids);
    json.addProperty("promptTokens", promptTokenIds.length);
    JsonArray promptIds = new JsonArray();
    for (int id : promptTokenIds) {
      promptIds.add(id);
    }
    json.add("promptTokenIds", promptIds);
    json.addProperty("newTokens", stats.newTokens());
    json.addProperty("stopReason", spell(result.stopReason()));
    json.addProperty("targetPasses", stats.targetPasses());
    json.addProperty("draftingSteps", stats.draftingSteps());
    json.addProperty("draftedTokens", stats.draftedTokens());
    json.addProperty("acceptedTokens", stats.acceptedTokens());
    json.add("meanAcceptedLength", ReportJson.number(stats.meanAcceptedLength()));
    json.add("acceptanceRate", ReportJson.number(stats.acceptanceRate()));
    JsonArray byPosition = new JsonArray();
    for (double rate : stats.acceptanceByPosition()) {
      byPosition.add(ReportJson.number(rate));
    }
    json.add("acceptanceByPosition", byPosition);
    json.add("tokensPerSecond", ReportJson.number(stats.tokensPerSecond()));
    json.addProperty("prefillMillis", stats.prefillNanos() / 1e6);
    json.addProperty("decodeMillis", stats.decodeNanos() / 1e6);
    json.addProperty("drafter", options.drafter().name());
    json.addProperty("draftTokens", options.draftTokens());
    switch (options.drafter()) {
      case DrafterSpec.Lookup l -> addLookup(json, l.ngramMax(), l.ngramMin(), l.branches());
      case DrafterSpec.LookupThenDraft l ->
          addLookup(json, l.ngramMax(), l.ngramMin(), l.branches());
      case DrafterSpec.Mtp m -> {
        json.addProperty("depth", m.depth());
        json.addProperty("branches", m.branches());
      }
      default -> {}
    }
    options.tree().ifPresent(tree -> json.addProperty("tree", tree.describe()));
    json.addProperty("budget", options.budget().toString());
    json.addProperty("rule", rule);
    json.addProperty("temperature", options.sampling().temperature());
    json.addProperty("topK", options.sampling().topK());
    json.addProperty("topP", options.sampling().topP());
    json.addProperty("seed", options.seed());
    json.addProperty("maxNewTokens", options.maxNewTokens());
    comparison.ifPresent(
        c -> {
          DecodeStats base = c.baseline().stats();
          json.addProperty("baselineNewTokens", base.newTokens());
          json.addProperty("baselineTargetPasses", base.targetPasses());
          json.add("baselineTokensPerSecond", ReportJson.number(base.tokensPerSecond()));
          json.add("speedup", ReportJson.number(c.speedup()));
          json.addProperty("identicalToBaseline", c.identical());
        });
    return json;
  }

  private static void addLookup(JsonObject json, int ngramMax, int ngramMin, int branches) {
    json.addProperty("ngramMax", ngramMax);
    json.addProperty("ngramMin", ngramMin);
    json.addProperty("branches", branches);
  }

  private static String lookupText(int ngramMin, int ngramMax, int branches) {
    return String.format(
        Locale.ROOT, ", n-grams %d..%d, %s", ngramMin, ngramMax, branchesText(branches));
  }

  private static String branchesText(int branches) {
    return branches == 1 ? "1 branch" : branches + " branches";
  }

  /** {@link #toJsonObject()} printed with indentation (no trailing newline). */
  public String toJson() {
    return ReportJson.pretty(toJsonObject());
  }

  /**
   * A few aligned lines for a terminal: new tokens, target passes, τ, acceptance, tokens per second
   * and, with a comparison, the baseline, the speedup and (greedy only) whether the outputs match.
   * Ends with a newline; does not include the text.
   */
  public String toText() {
    DecodeStats stats = result.stats();
    StringBuilder out = new StringBuilder();
    String drafting =
        options.drafter() instanceof DrafterSpec.None
            ? "drafter none"
            : "drafter " + options.drafter().name() + ", k = " + options.draftTokens();
    drafting +=
        switch (options.drafter()) {
          case DrafterSpec.Lookup l -> lookupText(l.ngramMin(), l.ngramMax(), l.branches());
          case DrafterSpec.LookupThenDraft l ->
              lookupText(l.ngramMin(), l.ngramMax(), l.branches());
          case DrafterSpec.Mtp m ->
              String.format(Locale.ROOT, ", depth %d, %s", m.depth(), branchesText(m.branches()));
          default -> "";
        };
    if (options.tree().isPresent()) {
      drafting += ", tree " + options.tree().get().describe();
    }
    if (options.budget() == BudgetMode.AUTO) {
      drafting += ", budget auto";
    }
    String sampling =
        options.sampling().isGreedy()
            ? "greedy"
            : String.format(
                Locale.ROOT,
                "%s, temperature %s, top-k %d, top-p %s, seed %d",
                rule,
                plain(options.sampling().temperature()),
                options.sampling().topK(),
                plain(options.sampling().topP()),
                options.seed());
    line(out, "bundle", bundle + " (" + drafting + "; " + sampling + ")");
    line(
        out,
        "new tokens",
        stats.newTokens()
            + " after a prompt of "
            + promptTokenIds.length
            + " (stop: "
            + spell(result.stopReason())
            + ")");
    line(out, "target passes", Integer.toString(stats.targetPasses()));
    if (stats.draftingSteps() > 0) {
      line(
          out,
          "mean accepted τ",
          String.format(
              Locale.ROOT,
              "%.2f tokens per drafting step (%d steps)",
              stats.meanAcceptedLength(),
              stats.draftingSteps()));
      line(
          out,
          "acceptance rate",
          String.format(
              Locale.ROOT,
              "%.1f %% (%d of %d drafts)",
              100 * stats.acceptanceRate(),
              stats.acceptedTokens(),
              stats.draftedTokens()));
      StringBuilder positions = new StringBuilder();
      double[] byPosition = stats.acceptanceByPosition();
      // Positions past the deepest draft have no acceptance (NaN): the line stops there.
      for (int i = 0; i < byPosition.length && !Double.isNaN(byPosition[i]); i++) {
        positions.append(
            String.format(
                Locale.ROOT, "%s%d: %.0f %%", i == 0 ? "" : "  ", i + 1, 100 * byPosition[i]));
      }
      line(out, "by position", positions.toString());
    } else {
      line(out, "drafting", "none (one target pass per token)");
    }
    line(out, "speed", rate(stats) + timing(stats));
    comparison.ifPresent(
        c -> {
          DecodeStats base = c.baseline().stats();
          line(
              out,
              "baseline",
              rate(base)
                  + " (plain decoding: "
                  + base.newTokens()
                  + " tokens, "
                  + base.targetPasses()
                  + " passes)");
          double speedup = c.speedup();
          line(
              out,
              "speedup",
              Double.isFinite(speedup) ? String.format(Locale.ROOT, "%.2fx", speedup) : "n/a");
          if (options.sampling().isGreedy()) {
            line(
                out,
                "identical",
                c.identical()
                    ? "yes: same tokens as plain greedy decoding"
                    : "NO: output differs from plain greedy decoding");
          }
        });
    return out.toString();
  }

  private static void line(StringBuilder out, String label, String value) {
    out.append(String.format(Locale.ROOT, "%-16s %s%n", label, value));
  }

  private static String rate(DecodeStats stats) {
    double rate = stats.tokensPerSecond();
    return Double.isFinite(rate) ? String.format(Locale.ROOT, "%.1f tokens/s", rate) : "n/a";
  }

  private static String timing(DecodeStats stats) {
    return String.format(
        Locale.ROOT,
        " (prefill %.1f ms, decode %.1f ms)",
        stats.prefillNanos() / 1e6,
        stats.decodeNanos() / 1e6);
  }

  /** A number without trailing zeros: 0.7 rather than 0.700000. */
  private static String plain(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : Double.toString(value);
  }
}
