package dev.specdec.eval.report;

import dev.specdec.eval.BudgetDistribution;
import dev.specdec.eval.ConfidenceInterval;
import dev.specdec.eval.ConfigEval;
import dev.specdec.eval.DegenerateLoop;
import dev.specdec.eval.EvalMetrics;
import dev.specdec.eval.EvalReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What the Markdown and HTML summaries share: the table columns and cells, the settings line, the
 * definitions, and how numbers are written.
 */
final class SummaryCells {
  private SummaryCells() {}

  /** A table row: a config's or a category's metrics, and whether the config decodes greedily. */
  record Row(String name, EvalMetrics metrics, boolean greedy) {}

  static boolean greedy(ConfigEval c) {
    return c.config().options().sampling().isGreedy();
  }

  static List<Row> categoryRows(ConfigEval c) {
    return c.byCategory().entrySet().stream()
        .map(e -> new Row(e.getKey(), e.getValue(), greedy(c)))
        .toList();
  }

  /** The budget per step of a config: its mode and how many steps verified each budget. */
  static String budgetLine(ConfigEval c) {
    BudgetDistribution d = BudgetDistribution.of(c.runs());
    return "Budget "
        + c.config().options().budget()
        + ": steps per drafts verified (0, 1, ...): "
        + d.steps()
        + String.format(
            Locale.ROOT, ", mean %.2f, plain steps %.1f %%", d.mean(), 100 * d.plainShare());
  }

  static String settings(EvalReport report) {
    String settings =
        String.format(
            Locale.ROOT,
            "%d prompts, up to %d new tokens, %d untimed warm-up run(s) per decoder and config,"
                + " %d run(s) of a prompt cut to fit the context; intervals at %.0f %%.",
            report.prompts(),
            report.maxNewTokens(),
            report.warmup(),
            report.truncatedRuns(),
            100 * ConfidenceInterval.LEVEL);
    return report.complete() ? settings : INCOMPLETE + " " + settings;
  }

  /** What an interrupted run's summaries say first. */
  static final String INCOMPLETE =
      "INCOMPLETE: the run was interrupted; the tables hold only the prompts that finished.";

  static final String[] COLUMNS = {
    "prompts",
    "tau [95% CI]",
    "acceptance [95% CI]",
    "alpha",
    "gamma",
    "c",
    "predicted",
    "observed [95% CI]",
    "pred. error",
    "tok/s",
    "plain tok/s",
    "identical",
    "degenerate",
    "tau w/o loops",
    "acceptance w/o loops"
  };

  static List<String> cells(EvalMetrics m, boolean greedy) {
    return List.of(
        Integer.toString(m.prompts()),
        fmt("%.3f", m.meanAcceptedLength()) + " " + ci("%.3f", m.meanAcceptedLengthCi()),
        percent(m.acceptanceRate()) + " " + ciPercent(m.acceptanceRateCi()),
        percent(m.chainAcceptance()),
        fmt("%.2f", m.meanDepth()),
        fmt("%.3f", m.costRatio()),
        fmt("%.2fx", m.predictedSpeedup()),
        fmt("%.2fx", m.observedSpeedup()) + " " + ci("%.2f", m.observedSpeedupCi()),
        signedPercent(m.predictionError()),
        fmt("%.1f", m.tokensPerSecond()),
        fmt("%.1f", m.baselineTokensPerSecond()),
        // Only greedy outputs must equal plain decoding; sampled ones differ by design.
        greedy ? m.identicalPrompts() + "/" + m.prompts() : "n/a",
        m.degenerateOutputs() + "/" + m.prompts() + " (" + percent(m.degenerateFraction()) + ")",
        fmt("%.3f", m.nonDegenerateMeanAcceptedLength()),
        percent(m.nonDegenerateAcceptanceRate()));
  }

  static final String DEFINITIONS =
      """
      ## Definitions

      - A *drafting step* is a target pass whose tree held at least one draft. Counts are summed over \
      all prompts before dividing (vLLM's definitions).
      - **tau** (mean accepted length) = 1 + accepted drafts / drafting steps: tokens per drafting \
      step. Its interval is Student's t-interval of the mean of the per-prompt tau.
      - **acceptance** = accepted drafts / drafted tokens, with Wilson's score interval over \
      the drafted tokens (drafts of one step are not independent, so read it as a lower bound on the \
      uncertainty).
      - **acceptance by depth** d = drafting steps that accepted at least d drafts / drafting steps \
      whose tree reached depth d. \
      For Medusa, head h drafts depth h + 1.
      - **top-k accuracy at depth d**: over drafting steps whose tree reached depth d, the share \
      whose emitted token at that position is among the depth-d drafts of sibling rank < k \
      (Medusa's per-head top-k accuracy; for chains, top-1 whatever the drafts before it).
      - **alpha** = accepted drafts / (accepted drafts + drafting steps that ended in a rejection): \
      the probability that a draft the verifier examined is accepted (drafts below a rejection are \
      never examined; *acceptance* counts them). **gamma** = mean depth of the drafted trees (for \
      chains, drafts per step). **c** = drafter wall time per drafting step / gamma / one target \
      step (decode time / target passes of the plain runs of the same prompts, same process): the \
      cost of drafting one depth relative to a target step.
      - **predicted**: the speedup predicted from the step records and the machine's cost model, \
      not from the speculative runs' time: per step one target pass over the tree it verified \
      (T nodes after P cached positions), priced by the target's pass-cost probe, plus the \
      per-pass overhead beyond the probe measured on the plain runs, plus the drafter's recorded \
      propose time; against the plain runs' passes priced the same way. **pred. error** = \
      predicted / observed - 1. (report.json also keeps Leviathan et al.'s single-alpha \
      (1 - alpha^(gamma+1)) / ((1 - alpha)(gamma c + 1)) as `leviathanSpeedup`, for comparison.)
      - **observed** = mean over prompts of speculative tokens/s / plain tokens/s (prefill \
      included), with its t-interval; **tok/s** = all new tokens / all prefill and decode time.
      - **degenerate**: speculative outputs whose last %d new tokens are one unit of at most %d \
      tokens repeated (a repetition loop; an output of fewer than %1$d new tokens never is), of all \
      prompts. Loops are easy to draft and inflate acceptance, so **tau w/o loops** and \
      **acceptance w/o loops** are tau and acceptance over the other outputs only.
      """
          .formatted(DegenerateLoop.WINDOW, DegenerateLoop.MAX_PERIOD);

  static String topK(EvalMetrics m) {
    List<String> rows = new ArrayList<>();
    for (int d = 0; d < m.topKAccuracyByDepth().size(); d++) {
      rows.add("d" + (d + 1) + " " + joinedPercent(m.topKAccuracyByDepth().get(d)));
    }
    return String.join(", ", rows);
  }

  private static String signedPercent(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%+.1f%%", 100 * v) : "n/a";
  }

  static String joinedPercent(List<Double> values) {
    return values.isEmpty()
        ? "n/a"
        : values.stream().map(SummaryCells::percent).collect(Collectors.joining(" / "));
  }

  private static String fmt(String pattern, double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, pattern, value) : "n/a";
  }

  private static String percent(double value) {
    return fmt("%.1f%%", 100 * value);
  }

  private static String ci(String pattern, ConfidenceInterval ci) {
    return ci.isKnown()
        ? "[" + fmt(pattern, ci.lower()) + ", " + fmt(pattern, ci.upper()) + "]"
        : "";
  }

  private static String ciPercent(ConfidenceInterval ci) {
    return ci.isKnown() ? "[" + percent(ci.lower()) + ", " + percent(ci.upper()) + "]" : "";
  }
}
