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
 * The HTML page ({@value EvalReportWriter#HTML}): the Markdown summary's content as tables, and the
 * charts.
 */
final class HtmlReport {
  private HtmlReport() {}

  /** The HTML page: the Markdown's content as tables, and the charts. */
  public static String toHtml(EvalReport report, String command) {
    StringBuilder out = new StringBuilder();
    out.append(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>specdec eval: ")
        .append(esc(report.bundle()))
        .append(
            "</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;}"
                + "table{border-collapse:collapse;margin:1em 0;}td,th{border:1px solid #ccc;"
                + "padding:4px 8px;text-align:right;}td:first-child,th:first-child{text-align:left;}"
                + "img{max-width:100%;}code,pre{background:#f4f4f4;}</style>\n</head><body>\n");
    out.append("<h1>specdec eval: ").append(esc(report.bundle())).append("</h1>\n");
    if (!command.isEmpty()) {
      out.append("<pre>").append(esc(command)).append("</pre>\n");
    }
    out.append("<p>").append(esc(settings(report))).append("</p>\n");
    out.append("<h2>Configurations (all prompts)</h2>\n");
    htmlTable(
        out,
        "config",
        report.configs().stream()
            .map(c -> new Row(c.config().name(), c.overall(), greedy(c)))
            .toList());
    for (String chart :
        List.of(
            Charts.SPEEDUP,
            Charts.ACCEPTANCE_BY_DEPTH,
            Charts.ACCEPTED_LENGTHS,
            Charts.BUDGETS,
            Charts.TAU_BY_CATEGORY)) {
      out.append("<p><img src=\"")
          .append(chart)
          .append("\" alt=\"")
          .append(chart)
          .append("\"></p>\n");
    }
    for (ConfigEval c : report.configs()) {
      out.append("<h2>")
          .append(esc(c.config().name()))
          .append(" by category</h2>\n<p><code>")
          .append(esc(c.config().spec()))
          .append("</code></p>\n");
      htmlTable(out, "category", categoryRows(c));
      out.append("<p>Acceptance by depth: ")
          .append(esc(joinedPercent(c.overall().acceptanceByPosition())))
          .append("<br>Accepted-length histogram (0, 1, ...): ")
          .append(c.overall().acceptedLengthHistogram())
          .append("<br>Top-k accuracy by depth: ")
          .append(esc(topK(c.overall())))
          .append("<br>")
          .append(esc(budgetLine(c)))
          .append("</p>\n");
    }
    out.append("<div>").append(markdownList(DEFINITIONS)).append("</div>\n</body></html>\n");
    return out.toString();
  }

  private static void htmlTable(StringBuilder out, String first, List<Row> rows) {
    out.append("<table>\n<tr><th>").append(first).append("</th>");
    for (String c : COLUMNS) {
      out.append("<th>").append(esc(c)).append("</th>");
    }
    out.append("</tr>\n");
    for (Row row : rows) {
      out.append("<tr><td>").append(esc(row.name())).append("</td>");
      for (String cell : cells(row.metrics(), row.greedy())) {
        out.append("<td>").append(esc(cell)).append("</td>");
      }
      out.append("</tr>\n");
    }
    out.append("</table>\n");
  }

  /** The definitions block: a heading and "- " items with **bold** and *italic*. */
  private static String markdownList(String markdown) {
    StringBuilder html = new StringBuilder();
    for (String line : markdown.split("\n")) {
      if (line.startsWith("## ")) {
        html.append("<h2>").append(esc(line.substring(3))).append("</h2>\n<ul>\n");
      } else if (line.startsWith("- ")) {
        html.append("<li>")
            .append(
                esc(line.substring(2))
                    .replaceAll("\\*\\*(.+?)\\*\\*", "<b>$1</b>")
                    .replaceAll("\\*(.+?)\\*", "<i>$1</i>"))
            .append("</li>\n");
      }
    }
    return html.append("</ul>").toString();
  }

  private static String esc(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
