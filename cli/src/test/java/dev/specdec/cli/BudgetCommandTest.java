package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --budget} on decode and bench, and {@code bench --pass-costs}, on models/test-tiny. */
class BudgetCommandTest {
  private static final String BUNDLE = Cli.testTiny().toString();

  @TempDir Path dir;

  @Test
  void decodeWithAnAdaptiveBudgetIsIdenticalToPlainAndSaysSo() {
    Cli cli =
        Cli.run(
            "decode",
            "--bundle",
            BUNDLE,
            "--prompt",
            "Wherefore art thou",
            "--max-new-tokens",
            "24",
            "--drafter",
            "draft",
            "-k",
            "6",
            "--budget",
            "auto",
            "--compare",
            "--json");
    assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
    JsonObject json = JsonParser.parseString(cli.out()).getAsJsonObject();
    assertEquals("auto", json.get("budget").getAsString());
    assertTrue(json.toString().contains("\"identicalToBaseline\":true"), cli.out());
  }

  @Test
  void anUnknownBudgetIsAUsageErrorNamingTheValidOnes() {
    Cli cli = Cli.run("decode", "--bundle", BUNDLE, "--prompt", "x", "--budget", "sometimes");
    assertEquals(ExitCodes.USAGE, cli.exitCode());
    assertTrue(cli.err().contains("expected one of [fixed, auto]"), cli.err());
  }

  @Test
  void benchTakesTheBudgetFromTheCommandLineAndFromSpecs() throws IOException {
    Path prompts =
        Files.writeString(dir.resolve("p.jsonl"), "{\"id\": \"a\", \"prompt\": \"Good morrow\"}\n");
    Cli cli =
        Cli.run(
            "bench",
            "--bundle",
            BUNDLE,
            "--prompts",
            prompts.toString(),
            "--max-new-tokens",
            "8",
            "--repeats",
            "1",
            "--warmup",
            "0",
            "--budget",
            "auto",
            "--config",
            "auto=drafter=draft,k=4",
            "--config",
            "fixed=drafter=draft,k=4,budget=fixed",
            "--json");
    assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
    assertTrue(
        cli.out().contains("drafter=draft,k=4,temperature=0.0,top-k=0,top-p=1.0,budget=auto"));
    assertTrue(
        cli.out().contains("drafter=draft,k=4,temperature=0.0,top-k=0,top-p=1.0,budget=fixed\""),
        cli.out());
  }

  @Test
  void passCostsPrintTheTargetsAndTheDraftsCostCurves() {
    Cli text = Cli.run("bench", "--bundle", BUNDLE, "--pass-costs");
    assertEquals(ExitCodes.OK, text.exitCode(), text.err());
    assertTrue(text.out().startsWith("target: "), text.out());
    assertTrue(text.out().contains("\ndraft: "), text.out());
    assertTrue(text.out().contains("ms @P="), text.out());
    Cli json = Cli.run("bench", "--bundle", BUNDLE, "--pass-costs", "--json");
    assertEquals(ExitCodes.OK, json.exitCode(), json.err());
    JsonObject costs = JsonParser.parseString(json.out()).getAsJsonObject();
    assertEquals(10, costs.getAsJsonObject("target").getAsJsonArray("tokens").size());
    assertEquals(2, costs.getAsJsonObject("draft").getAsJsonArray("nanos").size());
  }

  @Test
  void benchWithoutPromptsOrPassCostsIsAUsageError() {
    Cli cli = Cli.run("bench", "--bundle", BUNDLE);
    assertEquals(ExitCodes.USAGE, cli.exitCode());
    assertTrue(cli.err().contains("--prompts"), cli.err());
  }
}
