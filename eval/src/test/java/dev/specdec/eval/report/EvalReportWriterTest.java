package dev.specdec.eval.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.specdec.eval.EvalReport;
import dev.specdec.eval.ScriptedReports;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalReportWriterTest {
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G'};

  @Test
  void writesJsonStepsCsvMarkdownHtmlAndChartImages(@TempDir Path dir) throws Exception {
    EvalReport report = ScriptedReports.twoConfigs();
    List<Path> files = EvalReportWriter.write(report, "specdec eval --prompts p.jsonl", dir);
    assertEquals(10, files.size());

    JsonObject json =
        JsonParser.parseString(Files.readString(dir.resolve("report.json"))).getAsJsonObject();
    assertEquals("specdec eval --prompts p.jsonl", json.get("command").getAsString());
    JsonObject chain = json.getAsJsonArray("configs").get(0).getAsJsonObject();
    assertEquals("chain", chain.get("name").getAsString());
    assertEquals("draft", chain.get("drafter").getAsString(), "the drafter's name, not its spec");
    JsonObject overall = chain.getAsJsonObject("overall");
    assertEquals(1 + 9.0 / 7, overall.get("meanAcceptedLength").getAsDouble(), 1e-12);
    assertEquals(9, overall.get("acceptedTokens").getAsLong());
    assertEquals("[3,1,1,2]", overall.get("acceptedLengthHistogram").toString());
    assertTrue(
        chain
            .getAsJsonObject("categories")
            .getAsJsonObject("x")
            .get("meanAcceptedLengthCi")
            .getAsJsonArray()
            .get(0)
            .isJsonNull());
    assertEquals(2, chain.getAsJsonArray("prompts").size());

    // One line per step: chain has 4 + 5 steps, tree 4 + 3.
    List<String> steps;
    try (var in =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(dir.resolve("steps.jsonl.gz"))),
                StandardCharsets.UTF_8))) {
      steps = in.lines().toList();
    }
    assertEquals(16, steps.size());
    JsonObject first = JsonParser.parseString(steps.get(0)).getAsJsonObject();
    assertEquals(3, first.get("accepted").getAsInt());
    assertEquals("[1,2,3]", first.get("acceptedNodes").toString());
    assertEquals("[1,2,3]", first.get("acceptedDepths").toString());
    assertEquals(300, first.get("draftNanos").getAsLong());
    assertEquals(first.get("drafted").getAsInt(), first.get("budget").getAsInt());
    assertEquals(first.get("drafted").getAsInt(), first.get("proposedDrafts").getAsInt());
    assertTrue(first.get("expectedTokens").isJsonNull(), "a fixed budget expects nothing");
    assertEquals("fixed", chain.get("budget").getAsString());
    long budgetSteps = 0;
    for (var n : chain.getAsJsonArray("budgetDistribution")) {
      budgetSteps += n.getAsLong();
    }
    assertEquals(9, budgetSteps, "every step of the chain config has a budget");

    // Header, then per config the "all" row and one per category.
    List<String> csv = Files.readAllLines(dir.resolve("summary.csv"));
    assertEquals(1 + 2 * 3, csv.size());
    assertTrue(csv.get(0).startsWith("config,category,prompts,"));
    List<String> row = Arrays.asList(csv.get(1).split(",", -1));
    assertEquals(List.of("chain", "all", "2", "18", "7", "21", "9"), row.subList(0, 7));
    assertEquals(csv.get(0).split(",").length, row.size());
    assertEquals("3;1;1;2", row.get(14));
    assertTrue(csv.get(2).startsWith("chain,x,1,"));

    String markdown = Files.readString(dir.resolve("summary.md"));
    assertTrue(markdown.contains("| chain | 2 | 2.286 "), markdown);
    assertTrue(markdown.contains("## Definitions"));
    assertTrue(
        markdown.contains("Budget fixed: steps per drafts verified (0, 1, ...): "), markdown);
    String html = Files.readString(dir.resolve("report.html"));
    for (String image :
        List.of(
            "speedup.png",
            "acceptance-by-depth.png",
            "accepted-length-histogram.png",
            "budget-distribution.png",
            "tau-by-category.png")) {
      assertTrue(html.contains("<img src=\"" + image + "\""), image);
      byte[] bytes = Files.readAllBytes(dir.resolve(image));
      assertTrue(bytes.length > 1000, image + " has " + bytes.length + " bytes");
      assertArrayEquals(PNG_MAGIC, Arrays.copyOf(bytes, 4), image);
    }
  }

  @Test
  void everyFileReportsDegenerateOutputsAndTheAcceptanceWithoutThem() {
    EvalReport report = ScriptedReports.plantedLoops();

    JsonObject config =
        EvalReportWriter.toJson(report, "").getAsJsonArray("configs").get(0).getAsJsonObject();
    JsonObject overall = config.getAsJsonObject("overall");
    assertEquals(2, overall.get("degenerateOutputs").getAsInt());
    assertEquals(0.4, overall.get("degenerateFraction").getAsDouble(), 1e-12);
    assertEquals(
        1 + 74.0 / 49, overall.get("nonDegenerateMeanAcceptedLength").getAsDouble(), 1e-12);
    assertEquals(74.0 / 196, overall.get("nonDegenerateAcceptanceRate").getAsDouble(), 1e-12);
    JsonObject x = config.getAsJsonObject("categories").getAsJsonObject("x");
    assertEquals(1, x.get("degenerateOutputs").getAsInt());
    assertEquals(0.25, x.get("nonDegenerateAcceptanceRate").getAsDouble(), 1e-12);
    JsonObject loop = config.getAsJsonArray("prompts").get(0).getAsJsonObject();
    assertTrue(loop.get("degenerate").getAsBoolean());
    assertEquals(2, loop.get("loopPeriod").getAsInt());
    JsonObject clean = config.getAsJsonArray("prompts").get(1).getAsJsonObject();
    assertEquals(false, clean.get("degenerate").getAsBoolean());
    assertEquals(0, clean.get("loopPeriod").getAsInt());

    String[] csv = EvalReportWriter.toCsv(report).split("\n");
    List<String> header = Arrays.asList(csv[0].split(","));
    List<String> all = Arrays.asList(csv[1].split(",", -1));
    assertEquals(header.size(), all.size());
    assertEquals(
        List.of(
            "degenerate_outputs",
            "degenerate_fraction",
            "tau_non_degenerate",
            "acceptance_rate_non_degenerate"),
        header.subList(header.size() - 4, header.size()));
    assertEquals(
        List.of("2", "0.400000", "2.51020", "0.377551"), all.subList(all.size() - 4, all.size()));
    assertTrue(csv[2].startsWith("planted,x,"), csv[2]);
    assertTrue(csv[2].endsWith(",1,0.500000,2.00000,0.250000"), csv[2]);

    String markdown = EvalReportWriter.toMarkdown(report, "");
    assertTrue(
        markdown.contains(" | degenerate | tau w/o loops | acceptance w/o loops |"), markdown);
    assertTrue(markdown.contains(" | 2/5 (40.0%) | 2.510 | 37.8% |"), markdown);
    assertTrue(markdown.contains("| x | 2 |"), markdown);
    assertTrue(markdown.contains(" | 1/2 (50.0%) | 2.000 | 25.0% |"), markdown);
    assertTrue(markdown.contains("last 48 new tokens are one unit of at most 8"), markdown);
    String html = EvalReportWriter.toHtml(report, "");
    assertTrue(html.contains("<th>degenerate</th><th>tau w/o loops</th>"), html);
    assertTrue(html.contains("<td>2/5 (40.0%)</td><td>2.510</td><td>37.8%</td>"), html);
  }
}
