package dev.specdec.eval.report;

import com.google.gson.JsonObject;
import dev.specdec.eval.EvalReport;
import dev.specdec.eval.ReportJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an {@link EvalReport} into a directory:
 *
 * <ul>
 *   <li>{@value #JSON}: everything, machine-readable: settings, per config its spec, overall and
 *       per-category metrics, and per prompt its counts and speeds;
 *   <li>{@value #STEPS}: one JSON object per line and step: config, prompt, step, drafted, tree
 *       depth, accepted, the accepted nodes and their depths, drafter and verifier nanoseconds, the
 *       step's budget (drafts verified), the drafts proposed before an adaptive budget pruned them
 *       and the tokens it expected;
 *   <li>{@value #CSV}: one row per configuration × category (category {@code all} first);
 *   <li>{@value #MARKDOWN}: the summary tables and the definitions;
 *   <li>{@value #HTML}: the same with charts (PNG files beside it).
 * </ul>
 */
public final class EvalReportWriter {
  /** The complete JSON report. */
  public static final String JSON = "report.json";

  /** Per-step records, JSON Lines, gzip-compressed (they run to megabytes uncompressed). */
  public static final String STEPS = "steps.jsonl.gz";

  /** One row per configuration × category. */
  public static final String CSV = "summary.csv";

  /** The Markdown summary. */
  public static final String MARKDOWN = "summary.md";

  /** The HTML report. */
  public static final String HTML = "report.html";

  /** The category of the rows over all prompts. */
  public static final String ALL = "all";

  private EvalReportWriter() {}

  /**
   * Writes every file of the report into {@code dir} (created when missing; files of the same names
   * are replaced). Not atomic: a failure or a crash can leave some files written; {@link
   * ReportDirectory} writes into a staging directory and moves it into place when complete.
   *
   * @param command the command line that produced the report, recorded in it; may be empty
   * @return the files written
   * @throws IOException when a file cannot be written
   */
  public static List<Path> write(EvalReport report, String command, Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    files.add(
        Files.writeString(dir.resolve(JSON), ReportJson.pretty(toJson(report, command)) + "\n"));
    files.add(StepsFile.writeSteps(report, dir.resolve(STEPS)));
    files.add(Files.writeString(dir.resolve(CSV), toCsv(report)));
    files.add(Files.writeString(dir.resolve(MARKDOWN), toMarkdown(report, command)));
    files.addAll(Charts.write(report, dir));
    files.add(Files.writeString(dir.resolve(HTML), toHtml(report, command)));
    return files;
  }

  /** The complete report as one JSON object ({@value #JSON}). */
  public static JsonObject toJson(EvalReport report, String command) {
    return JsonReport.toJson(report, command);
  }

  /**
   * The CSV ({@value #CSV}): a header, then per config the row over all prompts and one per
   * category.
   */
  public static String toCsv(EvalReport report) {
    return CsvSummary.toCsv(report);
  }

  /** The Markdown summary ({@value #MARKDOWN}). */
  public static String toMarkdown(EvalReport report, String command) {
    return MarkdownSummary.toMarkdown(report, command);
  }

  /** The Markdown table with one row per configuration, over all prompts. */
  public static String overviewTable(EvalReport report) {
    return MarkdownSummary.overviewTable(report);
  }

  /** The HTML page ({@value #HTML}), which shows the charts written beside it. */
  public static String toHtml(EvalReport report, String command) {
    return HtmlReport.toHtml(report, command);
  }
}
