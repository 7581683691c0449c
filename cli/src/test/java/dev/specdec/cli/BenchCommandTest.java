package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code specdec bench} end to end on the committed test bundle (models/test-tiny). */
class BenchCommandTest {
  private static final String BUNDLE = Cli.testTiny().toString();

  @TempDir Path dir;

  private Path prompts() throws IOException {
    return Files.writeString(
        dir.resolve("prompts.jsonl"),
        "{\"id\": \"winter\", \"prompt\": \"Now is the winter of our discontent\"}\n"
            + "{\"question_id\": 2, \"category\": \"greeting\", \"turns\": [\"Good morrow\"]}\n");
  }

  @Test
  void jsonReportsEveryFieldWithOneSamplePerPromptAndRound() throws IOException {
    Cli cli =
        Cli.run(
            "bench",
            "--bundle",
            BUNDLE,
            "--prompts",
            prompts().toString(),
            "--max-new-tokens",
            "8",
            "--repeats",
            "2",
            "--warmup",
            "1",
            "--json");

    assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
    JsonObject report = JsonParser.parseString(cli.out()).getAsJsonObject();
    assertEquals("test-tiny", report.get("bundle").getAsString());
    assertEquals(2, report.get("prompts").getAsInt());
    assertEquals(2, report.get("repeats").getAsInt());
    assertEquals(1, report.get("warmup").getAsInt());
    assertEquals(1, report.getAsJsonArray("configs").size());
    JsonObject config = report.getAsJsonArray("configs").get(0).getAsJsonObject();
    assertEquals("draft", config.get("name").getAsString(), "the bundle's default drafter");
    assertEquals(
        "drafter=draft,k=4,temperature=0.0,top-k=0,top-p=1.0,budget=auto",
        config.get("spec").getAsString());
    assertEquals(4, config.get("samples").getAsInt(), "2 prompts x 2 rounds");
    assertTrue(config.get("identical").getAsBoolean(), "greedy: same tokens as plain decoding");
    double min = config.get("minSpeedup").getAsDouble();
    double median = config.get("medianSpeedup").getAsDouble();
    double max = config.get("maxSpeedup").getAsDouble();
    assertTrue(0 < min && min <= median && median <= max, min + " " + median + " " + max);
    assertTrue(config.get("meanAcceptedLength").getAsDouble() >= 1.0);
    double rate = config.get("acceptanceRate").getAsDouble();
    assertTrue(rate >= 0 && rate <= 1, "acceptance rate " + rate);
    assertTrue(config.get("tokensPerSecond").getAsDouble() > 0);
    assertTrue(config.get("baselineTokensPerSecond").getAsDouble() > 0);
    assertEquals(
        List.of("config draft: prompt 1/2", "config draft: prompt 2/2"),
        cli.err().lines().toList(),
        "progress on stderr only");
  }

  @Test
  void aBenchStoppedBeforeItsFirstRoundPrintsAnIncompleteReportAndExits130() throws IOException {
    Cli cli =
        Cli.runInterrupted(
            "bench", "--bundle", BUNDLE, "--prompts", prompts().toString(), "--json");

    assertEquals(ExitCodes.INTERRUPTED, cli.exitCode(), cli.err());
    JsonObject report = JsonParser.parseString(cli.out()).getAsJsonObject();
    assertFalse(report.get("complete").getAsBoolean());
    assertEquals(0, report.getAsJsonArray("configs").size(), "no round finished");
    assertTrue(
        cli.err()
            .endsWith(
                "specdec: interrupted by SIGINT: stopped early; the report holds"
                    + " only the rounds that finished (\"complete\": false)\n"),
        cli.err());
  }

  @Test
  void everyPromptIsCheckedAgainstTheContextBeforeTheFirstIsDecoded() throws IOException {
    String tooLong = "All the world's a stage. ".repeat(200);
    StringBuilder lines = new StringBuilder();
    for (int i = 1; i <= 7; i++) {
      lines.append("{\"id\": \"p").append(i).append("\", \"prompt\": \"");
      lines.append(i == 7 ? tooLong : "Good morrow").append("\"}\n");
    }
    Path file = Files.writeString(dir.resolve("seven.jsonl"), lines.toString());
    Cli cli = Cli.run("bench", "--bundle", BUNDLE, "--prompts", file.toString());

    assertEquals(ExitCodes.FAILURE, cli.exitCode(), cli.err());
    assertFalse(cli.err().contains("prompt 1/7"), "nothing decoded: " + cli.err());
    assertTrue(
        cli.err().contains("1 of 7 prompts do not fit the context of 256 tokens")
            && cli.err().contains("prompt p7 ("),
        cli.err());
  }

  @Test
  void textTableHasOneRowPerConfigInOrder() throws IOException {
    Cli cli =
        Cli.run(
            "bench",
            "--bundle",
            BUNDLE,
            "--prompts",
            prompts().toString(),
            "--max-new-tokens",
            "4",
            "--repeats",
            "1",
            "--warmup",
            "0",
            "--config",
            "look=drafter=lookup,k=3",
            "--config",
            "plain=drafter=none");

    assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
    List<String> rows = cli.out().lines().filter(l -> l.matches("(look|plain) +\\S+x .*")).toList();
    assertEquals(2, rows.size(), cli.out());
    assertTrue(rows.get(0).startsWith("look "), cli.out());
    assertTrue(
        cli.out().contains("drafter=lookup,k=3,temperature=0.0,top-k=0,top-p=1.0,ngram-max=3"),
        cli.out());
  }

  @Test
  void anUnknownConfigKeyIsAUsageErrorListingTheValidKeys() throws IOException {
    Cli cli =
        Cli.run(
            "bench",
            "--bundle",
            BUNDLE,
            "--prompts",
            prompts().toString(),
            "--config",
            "x=width=2");

    assertEquals(ExitCodes.USAGE, cli.exitCode(), cli.err());
    assertTrue(
        cli.err()
            .startsWith(
                "specdec: error: --config: config x: unknown key 'width'; valid keys: drafter, k,"),
        cli.err());
  }

  @Test
  void aMalformedPromptFileIsABadInputNamingTheLine() throws IOException {
    Path file = Files.writeString(dir.resolve("bad.jsonl"), "{\"prompt\": \"a\"}\n{oops\n");

    Cli cli = Cli.run("bench", "--bundle", BUNDLE, "--prompts", file.toString());

    assertEquals(ExitCodes.FAILURE, cli.exitCode(), cli.err());
    assertTrue(cli.err().startsWith("specdec: error: " + file + " line 2: malformed JSON"));
    assertFalse(cli.err().contains("\tat "), cli.err());
  }

  @Test
  void aMissingPromptFileIsABadInput() {
    Cli cli = Cli.run("bench", "--bundle", BUNDLE, "--prompts", dir.resolve("none.txt").toString());

    assertEquals(ExitCodes.FAILURE, cli.exitCode(), cli.err());
    assertTrue(cli.err().startsWith("specdec: error: prompt file does not exist: "), cli.err());
  }
}
