package dev.specdec.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@link SpeedBenchmark} measured, for people ({@link #toText()}) and machines ({@link
 * #toJson()}).
 *
 * @param bundle the bundle's name
 * @param prompts how many prompts were decoded per config
 * @param repeats measured rounds per prompt and config
 * @param warmup untimed warm-up runs of each decoder per prompt and config
 * @param maxNewTokens the most new tokens per run
 * @param configs one result per config, in the order given; when not complete, the configs that
 *     completed at least one round, each with the rounds it completed
 * @param complete false when the run was interrupted before every round of every config ran
 */
public record BenchReport(
    String bundle,
    int prompts,
    int repeats,
    int warmup,
    int maxNewTokens,
    List<BenchResult> configs,
    boolean complete) {

  /** Validates presence and copies the list. */
  public BenchReport {
    Objects.requireNonNull(bundle, "bundle");
    configs = List.copyOf(configs);
  }

  /**
   * The report as a JSON object: {@code bundle}, {@code prompts}, {@code repeats}, {@code warmup},
   * {@code maxNewTokens}, {@code complete} and {@code configs}, each with {@code name}, {@code
   * spec}, {@code medianSpeedup}, {@code minSpeedup}, {@code maxSpeedup}, {@code
   * meanAcceptedLength}, {@code acceptanceRate}, {@code tokensPerSecond}, {@code
   * baselineTokensPerSecond}, {@code samples} and {@code identical}. Non-finite numbers, and {@code
   * identical} with sampling, are {@code null}.
   */
  public JsonObject toJsonObject() {
    JsonObject json = new JsonObject();
    json.addProperty("bundle", bundle);
    json.addProperty("prompts", prompts);
    json.addProperty("repeats", repeats);
    json.addProperty("warmup", warmup);
    json.addProperty("maxNewTokens", maxNewTokens);
    json.addProperty("complete", complete);
    JsonArray list = new JsonArray();
    for (BenchResult result : configs) {
      JsonObject config = new JsonObject();
      config.addProperty("name", result.config().name());
      config.addProperty("spec", result.config().spec());
      config.add("medianSpeedup", ReportJson.number(result.medianSpeedup()));
      config.add("minSpeedup", ReportJson.number(result.minSpeedup()));
      config.add("maxSpeedup", ReportJson.number(result.maxSpeedup()));
      config.add("meanAcceptedLength", ReportJson.number(result.meanAcceptedLength()));
      config.add("acceptanceRate", ReportJson.number(result.acceptanceRate()));
      config.add("tokensPerSecond", ReportJson.number(result.tokensPerSecond()));
      config.add("baselineTokensPerSecond", ReportJson.number(result.baselineTokensPerSecond()));
      config.addProperty("samples", result.samples());
      config.add(
          "identical",
          result.identical().<JsonElement>map(JsonPrimitive::new).orElse(JsonNull.INSTANCE));
      list.add(config);
    }
    json.add("configs", list);
    return json;
  }

  /** {@link #toJsonObject()} printed with indentation (no trailing newline). */
  public String toJson() {
    return ReportJson.pretty(toJsonObject());
  }

  /**
   * A header line, a table with one row per config, and each config's spec. Ends with a newline.
   */
  public String toText() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "bundle %s: %d prompts x %d rounds, untimed warm-up runs per decoder and prompt: %d, up to %d new tokens%n%n",
            bundle,
            prompts,
            repeats,
            warmup,
            maxNewTokens));
    if (!complete) {
      out.append(
          String.format(
              Locale.ROOT,
              "INCOMPLETE: interrupted; the rows hold the rounds that finished before it%n%n"));
    }
    String row = "%-14s %8s %17s %6s %7s %10s %10s %8s %9s%n";
    out.append(
        String.format(
            Locale.ROOT,
            row,
            "config",
            "speedup",
            "[min, max]",
            "tau",
            "accept",
            "tok/s",
            "base tok/s",
            "samples",
            "identical"));
    for (BenchResult r : configs) {
      out.append(
          String.format(
              Locale.ROOT,
              row,
              r.config().name(),
              format("%.2fx", r.medianSpeedup()),
              "[" + format("%.2f", r.minSpeedup()) + ", " + format("%.2f", r.maxSpeedup()) + "]",
              format("%.2f", r.meanAcceptedLength()),
              Double.isFinite(r.acceptanceRate())
                  ? format("%.1f%%", 100 * r.acceptanceRate())
                  : "n/a",
              format("%.1f", r.tokensPerSecond()),
              format("%.1f", r.baselineTokensPerSecond()),
              Integer.toString(r.samples()),
              r.identical().map(same -> same ? "yes" : "NO").orElse("n/a")));
    }
    out.append(String.format(Locale.ROOT, "%n"));
    for (BenchResult r : configs) {
      out.append(String.format(Locale.ROOT, "%-14s %s%n", r.config().name(), r.config().spec()));
    }
    return out.toString();
  }

  private static String format(String pattern, double value) {
    return Double.isFinite(value) ? String.format(Locale.ROOT, pattern, value) : "n/a";
  }
}
