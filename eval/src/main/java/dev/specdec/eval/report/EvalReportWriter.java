package dev.specdec.eval.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.specdec.eval.BudgetDistribution;
import dev.specdec.eval.ConfidenceInterval;
import dev.specdec.eval.ConfigEval;
import dev.specdec.eval.CostModel;
import dev.specdec.eval.DegenerateLoop;
import dev.specdec.eval.EvalMetrics;
import dev.specdec.eval.EvalReport;
import dev.specdec.eval.PassCosts;
import dev.specdec.eval.PromptRun;
import dev.specdec.eval.ReportJson;
import dev.specdec.verification.StepRecord;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

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
    files.add(writeSteps(report, dir.resolve(STEPS)));
    files.add(Files.writeString(dir.resolve(CSV), toCsv(report)));
    files.add(Files.writeString(dir.resolve(MARKDOWN), toMarkdown(report, command)));
    files.addAll(Charts.write(report, dir));
    files.add(Files.writeString(dir.resolve(HTML), toHtml(report, command)));
    return files;
  }

  /** The complete report as one JSON object. */
  public static JsonObject toJson(EvalReport report, String command) {
    JsonObject json = new JsonObject();
    json.addProperty("bundle", report.bundle());
    json.addProperty("command", command);
    json.addProperty("complete", report.complete());
    json.addProperty("prompts", report.prompts());
    json.addProperty("maxNewTokens", report.maxNewTokens());
    json.addProperty("warmup", report.warmup());
    json.addProperty("truncatedRuns", report.truncatedRuns());
    json.addProperty("confidenceLevel", ConfidenceInterval.LEVEL);
    JsonArray configs = new JsonArray();
    for (ConfigEval c : report.configs()) {
      JsonObject config = new JsonObject();
      config.addProperty("name", c.config().name());
      config.addProperty("spec", c.config().spec());
      config.addProperty("drafter", c.config().options().drafter().name());
      config.addProperty("k", c.config().options().draftTokens());
      config.addProperty("temperature", c.config().options().sampling().temperature());
      config.addProperty("acceptance", c.config().options().rule().name());
      config.addProperty("tree", c.config().options().tree().map(t -> t.describe()).orElse(null));
      config.addProperty("budget", c.config().options().budget().toString());
      BudgetDistribution budgets = BudgetDistribution.of(c.runs());
      JsonArray budgetSteps = new JsonArray();
      budgets.steps().forEach(budgetSteps::add);
      config.add("budgetDistribution", budgetSteps);
      config.add("meanBudget", ReportJson.number(budgets.mean()));
      config.add("overall", metrics(c.overall()));
      JsonObject categories = new JsonObject();
      c.byCategory().forEach((name, m) -> categories.add(name, metrics(m)));
      config.add("categories", categories);
      JsonArray prompts = new JsonArray();
      for (PromptRun run : c.runs()) {
        prompts.add(prompt(run));
      }
      config.add("prompts", prompts);
      configs.add(config);
    }
    json.add("configs", configs);
    report.costModel().ifPresent(model -> json.add("costModel", costModel(model)));
    return json;
  }

  /** The cost model as {@code {"target": {key, tokens, pasts, nanos}, "verifyOverhead": ...}}. */
  private static JsonObject costModel(CostModel model) {
    JsonObject json =
        com.google.gson.JsonParser.parseString(
                PassCosts.toJson(java.util.Map.of("target", model.target())))
            .getAsJsonObject();
    JsonObject verify = new JsonObject();
    JsonArray tokens = new JsonArray();
    JsonArray nanos = new JsonArray();
    for (int t : model.verify().tokens()) {
      tokens.add(t);
    }
    for (double n : model.verify().nanos()) {
      nanos.add(n);
    }
    verify.add("tokens", tokens);
    verify.add("nanos", nanos);
    json.add("verifyOverhead", verify);
    return json;
  }

  private static JsonObject metrics(EvalMetrics m) {
    JsonObject json = new JsonObject();
    json.addProperty("prompts", m.prompts());
    json.addProperty("newTokens", m.newTokens());
    json.addProperty("draftingSteps", m.draftingSteps());
    json.addProperty("draftedTokens", m.draftedTokens());
    json.addProperty("acceptedTokens", m.acceptedTokens());
    json.add("meanAcceptedLength", ReportJson.number(m.meanAcceptedLength()));
    json.add("meanAcceptedLengthCi", interval(m.meanAcceptedLengthCi()));
    json.add("acceptanceRate", ReportJson.number(m.acceptanceRate()));
    json.add("acceptanceRateCi", interval(m.acceptanceRateCi()));
    json.add("acceptanceByPosition", numbers(m.acceptanceByPosition()));
    JsonArray histogram = new JsonArray();
    m.acceptedLengthHistogram().forEach(histogram::add);
    json.add("acceptedLengthHistogram", histogram);
    JsonArray topK = new JsonArray();
    m.topKAccuracyByDepth().forEach(row -> topK.add(numbers(row)));
    json.add("topKAccuracyByDepth", topK);
    json.add("meanDraftsPerStep", ReportJson.number(m.meanDraftsPerStep()));
    json.add("meanDepth", ReportJson.number(m.meanDepth()));
    json.add("chainAcceptance", ReportJson.number(m.chainAcceptance()));
    json.add("draftNanosPerStep", ReportJson.number(m.draftNanosPerStep()));
    json.add("targetStepNanos", ReportJson.number(m.targetStepNanos()));
    json.add("costRatio", ReportJson.number(m.costRatio()));
    json.add("predictedSpeedup", ReportJson.number(m.predictedSpeedup()));
    json.add("predictionError", ReportJson.number(m.predictionError()));
    json.add("predictionOverheadNanos", ReportJson.number(m.predictionOverheadNanos()));
    json.add("leviathanSpeedup", ReportJson.number(m.leviathanSpeedup()));
    json.add("observedSpeedup", ReportJson.number(m.observedSpeedup()));
    json.add("observedSpeedupCi", interval(m.observedSpeedupCi()));
    json.add("tokensPerSecond", ReportJson.number(m.tokensPerSecond()));
    json.add("tokensPerSecondCi", interval(m.tokensPerSecondCi()));
    json.add("baselineTokensPerSecond", ReportJson.number(m.baselineTokensPerSecond()));
    json.addProperty("identicalPrompts", m.identicalPrompts());
    json.addProperty("degenerateOutputs", m.degenerateOutputs());
    json.add("degenerateFraction", ReportJson.number(m.degenerateFraction()));
    json.add(
        "nonDegenerateMeanAcceptedLength", ReportJson.number(m.nonDegenerateMeanAcceptedLength()));
    json.add("nonDegenerateAcceptanceRate", ReportJson.number(m.nonDegenerateAcceptanceRate()));
    return json;
  }

  private static JsonObject prompt(PromptRun run) {
    JsonObject json = new JsonObject();
    json.addProperty("id", run.prompt().id());
    json.addProperty("category", run.category());
    json.addProperty("promptTokens", run.promptTokens());
    json.addProperty("truncated", run.truncated());
    var s = run.speculative().stats();
    json.addProperty("newTokens", s.newTokens());
    json.addProperty("stopReason", run.speculative().stopReason().toString());
    json.addProperty("draftingSteps", s.draftingSteps());
    json.addProperty("draftedTokens", s.draftedTokens());
    json.addProperty("acceptedTokens", s.acceptedTokens());
    json.add("meanAcceptedLength", ReportJson.number(s.meanAcceptedLength()));
    json.add("tokensPerSecond", ReportJson.number(s.tokensPerSecond()));
    json.add("baselineTokensPerSecond", ReportJson.number(run.plain().stats().tokensPerSecond()));
    json.add("speedup", ReportJson.number(run.speedup()));
    json.addProperty("identical", run.identical());
    json.addProperty("degenerate", run.degenerate());
    json.addProperty("loopPeriod", run.loopPeriod());
    return json;
  }

  private static JsonElement interval(ConfidenceInterval ci) {
    JsonArray json = new JsonArray();
    json.add(ReportJson.number(ci.lower()));
    json.add(ReportJson.number(ci.upper()));
    return json;
  }

  private static JsonArray numbers(List<Double> values) {
    JsonArray json = new JsonArray();
    values.forEach(v -> json.add(ReportJson.number(v)));
    return json;
  }

  private static Path writeSteps(EvalReport report, Path file) throws IOException {
    Gson gson = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
    try (BufferedWriter out =
        new BufferedWriter(
            new OutputStreamWriter(
                new GZIPOutputStream(Files.newOutputStream(file)), StandardCharsets.UTF_8))) {
      for (ConfigEval c : report.configs()) {
        for (PromptRun run : c.runs()) {
          for (StepRecord step : run.steps()) {
            JsonObject json = new JsonObject();
            json.addProperty("config", c.config().name());
            json.addProperty("prompt", run.prompt().id());
            json.addProperty("step", step.step());
            json.addProperty("emittedBefore", step.emittedBefore());
            json.addProperty("drafted", step.drafted());
            json.addProperty("treeDepth", step.tree().maxDepth());
            json.addProperty("accepted", step.accepted());
            JsonArray nodes = new JsonArray();
            JsonArray depths = new JsonArray();
            for (int d = 1; d <= step.accepted(); d++) {
              nodes.add(step.acceptedNode(d));
              depths.add(step.tree().depth(step.acceptedNode(d)));
            }
            json.add("acceptedNodes", nodes);
            json.add("acceptedDepths", depths);
            json.addProperty("draftNanos", step.draftNanos());
            json.addProperty("verifyNanos", step.verifyNanos());
            json.addProperty("budget", step.budget());
            json.addProperty("proposedDrafts", step.proposedDrafts());
            json.add("expectedTokens", ReportJson.number(step.expectedTokens()));
            out.write(gson.toJson(json));
            out.write('\n');
          }
        }
      }
    }
    return file;
  }

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
      csvRow(out, c.config().name(), ALL, c.overall());
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
    return values.stream().map(EvalReportWriter::num).collect(Collectors.joining(";"));
  }

  private static String csv(String text) {
    return text.contains(",") || text.contains("\"") || text.contains("\n")
        ? "\"" + text.replace("\"", "\"\"") + "\""
        : text;
  }

  /** A table row: a config's or a category's metrics, and whether the config decodes greedily. */
  private record Row(String name, EvalMetrics metrics, boolean greedy) {}

  private static boolean greedy(ConfigEval c) {
    return c.config().options().sampling().isGreedy();
  }

  private static List<Row> categoryRows(ConfigEval c) {
    return c.byCategory().entrySet().stream()
        .map(e -> new Row(e.getKey(), e.getValue(), greedy(c)))
        .toList();
  }

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

  private static String settings(EvalReport report) {
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

  private static final String[] COLUMNS = {
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

  private static List<String> cells(EvalMetrics m, boolean greedy) {
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

  private static final String DEFINITIONS =
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

  private static String topK(EvalMetrics m) {
    List<String> rows = new ArrayList<>();
    for (int d = 0; d < m.topKAccuracyByDepth().size(); d++) {
      rows.add("d" + (d + 1) + " " + joinedPercent(m.topKAccuracyByDepth().get(d)));
    }
    return String.join(", ", rows);
  }

  private static String signedPercent(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%+.1f%%", 100 * v) : "n/a";
  }

  private static String joinedPercent(List<Double> values) {
    return values.isEmpty()
        ? "n/a"
        : values.stream().map(EvalReportWriter::percent).collect(Collectors.joining(" / "));
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
