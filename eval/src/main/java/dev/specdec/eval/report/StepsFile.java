package dev.specdec.eval.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.specdec.eval.ConfigEval;
import dev.specdec.eval.EvalReport;
import dev.specdec.eval.PromptRun;
import dev.specdec.eval.ReportJson;
import dev.specdec.verification.StepRecord;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Per-step records as gzip-compressed JSON Lines ({@value EvalReportWriter#STEPS}). */
final class StepsFile {
  private StepsFile() {}

  static Path writeSteps(EvalReport report, Path file) throws IOException {
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
}
