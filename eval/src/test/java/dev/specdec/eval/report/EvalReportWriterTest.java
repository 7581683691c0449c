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
    assertEquals(9, files.size());

    JsonObject json =
        JsonParser.parseString(Files.readString(dir.resolve("report.json"))).getAsJsonObject();
    assertEquals("specdec eval --prompts p.jsonl", json.get("command").getAsString());
    JsonObject chain = json.getAsJsonArray("configs").get(0).getAsJsonObject();
    assertEquals("chain", chain.get("name").getAsString());
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
    String html = Files.readString(dir.resolve("report.html"));
    for (String image :
        List.of(
            "speedup.png",
            "acceptance-by-depth.png",
            "accepted-length-histogram.png",
            "tau-by-category.png")) {
      assertTrue(html.contains("<img src=\"" + image + "\""), image);
      byte[] bytes = Files.readAllBytes(dir.resolve(image));
      assertTrue(bytes.length > 1000, image + " has " + bytes.length + " bytes");
      assertArrayEquals(PNG_MAGIC, Arrays.copyOf(bytes, 4), image);
    }
  }
}
