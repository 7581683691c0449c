package dev.specdec.eval.report;

import dev.specdec.eval.ConfigEval;
import dev.specdec.eval.EvalMetrics;
import dev.specdec.eval.EvalReport;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** One CSV row per configuration and category ({@value EvalReportWriter#CSV}). */
final class CsvSummary {
  private CsvSummary() {}

  /** The CSV: a header, then per config the row over all prompts and one per category. */
  public static String toCsv(EvalReport report) {
    StringBuilder out = new StringBuilder();
    out.append(
        "config,category,prompts,new_tokens,drafting_steps,drafted,accepted,tau,tau_ci_low,"
            + "tau_ci_high,acceptance_rate,acceptance_ci_low,acceptance_ci_high,"
            + "acceptance_by_position,accepted_length_histogram,top1_accuracy_by_depth,"
            + "drafts_per_step,mean_depth,chain_acceptance,cost_ratio,predicted_speedup,prediction_error,"
            + "leviathan_speedup,observed_speedup,speedup_ci_low,"
            + "speedup_ci_high,tokens_per_second,tps_ci_low,tps_ci_high,"
            + "baseline_tokens_per_second,identical_prompts,degenerate_outputs,"
            + "degenerate_fraction,tau_non_degenerate,acceptance_rate_non_degenerate\n");
    for (ConfigEval c : report.configs()) {
      csvRow(out, c.config().name(), EvalReportWriter.ALL, c.overall());
      c.byCategory().forEach((category, m) -> csvRow(out, c.config().name(), category, m));
    }
    return out.toString();
  }

  private static void csvRow(StringBuilder out, String config, String category, EvalMetrics m) {
    List<String> cells =
        List.of(
            csv(config),
            csv(category),
            Integer.toString(m.prompts()),
            Long.toString(m.newTokens()),
            Long.toString(m.draftingSteps()),
            Long.toString(m.draftedTokens()),
            Long.toString(m.acceptedTokens()),
            num(m.meanAcceptedLength()),
            num(m.meanAcceptedLengthCi().lower()),
            num(m.meanAcceptedLengthCi().upper()),
            num(m.acceptanceRate()),
            num(m.acceptanceRateCi().lower()),
            num(m.acceptanceRateCi().upper()),
            joined(m.acceptanceByPosition()),
            m.acceptedLengthHistogram().stream()
                .map(String::valueOf)
                .collect(Collectors.joining(";")),
            joined(
                m.topKAccuracyByDepth().stream()
                    .map(row -> row.isEmpty() ? Double.NaN : row.get(0))
                    .toList()),
            num(m.meanDraftsPerStep()),
            num(m.meanDepth()),
            num(m.chainAcceptance()),
            num(m.costRatio()),
            num(m.predictedSpeedup()),
            num(m.predictionError()),
            num(m.leviathanSpeedup()),
            num(m.observedSpeedup()),
            num(m.observedSpeedupCi().lower()),
            num(m.observedSpeedupCi().upper()),
            num(m.tokensPerSecond()),
            num(m.tokensPerSecondCi().lower()),
            num(m.tokensPerSecondCi().upper()),
            num(m.baselineTokensPerSecond()),
            Integer.toString(m.identicalPrompts()),
            Integer.toString(m.degenerateOutputs()),
            num(m.degenerateFraction()),
            num(m.nonDegenerateMeanAcceptedLength()),
            num(m.nonDegenerateAcceptanceRate()));
    out.append(String.join(",", cells)).append('\n');
  }

  /** A number with 6 significant digits, empty when not finite. */
  private static String num(double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, "%.6g", value) : "";
  }

  private static String joined(List<Double> values) {
    return values.stream().map(CsvSummary::num).collect(Collectors.joining(";"));
  }

  private static String csv(String text) {
    return text.contains(",") || text.contains("\"") || text.contains("\n")
        ? "\"" + text.replace("\"", "\"\"") + "\""
        : text;
  }
}
