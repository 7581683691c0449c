package dev.specdec.eval.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.specdec.eval.BudgetDistribution;
import dev.specdec.eval.ConfidenceInterval;
import dev.specdec.eval.ConfigEval;
import dev.specdec.eval.CostModel;
import dev.specdec.eval.EvalMetrics;
import dev.specdec.eval.EvalReport;
import dev.specdec.eval.PassCosts;
import dev.specdec.eval.PromptRun;
import dev.specdec.eval.ReportJson;
import java.util.List;

/** The complete report as one JSON object ({@value EvalReportWriter#JSON}). */
final class JsonReport {
  private JsonReport() {}

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
    json.addProperty("interference", model.interference());
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
}
