package dev.specdec.eval.report;

import static dev.specdec.eval.report.SummaryCells.COLUMNS;
import static dev.specdec.eval.report.SummaryCells.DEFINITIONS;
import static dev.specdec.eval.report.SummaryCells.budgetLine;
import static dev.specdec.eval.report.SummaryCells.categoryRows;
import static dev.specdec.eval.report.SummaryCells.cells;
import static dev.specdec.eval.report.SummaryCells.greedy;
import static dev.specdec.eval.report.SummaryCells.joinedPercent;
import static dev.specdec.eval.report.SummaryCells.settings;
import static dev.specdec.eval.report.SummaryCells.topK;

import dev.specdec.eval.ConfigEval;
import dev.specdec.eval.EvalReport;
import dev.specdec.eval.report.SummaryCells.Row;
import java.util.List;

/**
 * The Markdown summary ({@value EvalReportWriter#MARKDOWN}): settings, one table over
 * configurations, one per configuration by category, the definitions.
 */
final class MarkdownSummary {
  private MarkdownSummary() {}

  /** The Markdown table with one row per configuration, over all prompts. */
  public static String overviewTable(EvalReport report) {
    StringBuilder out = new StringBuilder();
    table(
        out,
        "config",
        report.configs().stream()
            .map(c -> new Row(c.config().name(), c.overall(), greedy(c)))
            .toList());
    return out.toString();
  }

  /** The Markdown summary: settings, one table over configs, one per config by category. */
  public static String toMarkdown(EvalReport report, String command) {
    StringBuilder out = new StringBuilder();
    out.append("# specdec eval: ").append(report.bundle()).append("\n\n");
    if (!command.isEmpty()) {
      out.append("```\n").append(command).append("\n```\n\n");
    }
    out.append(settings(report)).append("\n\n");
    out.append("## Configurations (all prompts)\n\n").append(overviewTable(report));
    for (ConfigEval c : report.configs()) {
      out.append("\n## ").append(c.config().name()).append(" by category\n\n");
      out.append("`").append(c.config().spec()).append("`\n\n");
      table(out, "category", categoryRows(c));
      out.append("\nAcceptance by depth: ")
          .append(joinedPercent(c.overall().acceptanceByPosition()))
          .append("  \nAccepted-length histogram (0, 1, ...): ")
          .append(c.overall().acceptedLengthHistogram())
          .append("  \nTop-k accuracy by depth: ")
          .append(topK(c.overall()))
          .append("  \n")
          .append(budgetLine(c))
          .append('\n');
    }
    out.append('\n').append(DEFINITIONS);
    return out.toString();
  }

  private static void table(StringBuilder out, String first, List<Row> rows) {
    out.append("| ").append(first);
    for (String c : COLUMNS) {
      out.append(" | ").append(c);
    }
    out.append(" |\n|---");
    out.append("|---:".repeat(COLUMNS.length)).append("|\n");
    for (Row row : rows) {
      out.append("| ").append(row.name().replace("|", "\\|"));
      for (String cell : cells(row.metrics(), row.greedy())) {
        out.append(" | ").append(cell);
      }
      out.append(" |\n");
    }
  }
}
