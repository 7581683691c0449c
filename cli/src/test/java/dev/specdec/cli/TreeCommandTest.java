package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.specdec.eval.HeadAccuracies;
import dev.specdec.tree.TreeShapes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeCommandTest {

  @Test
  void buildWritesTheGreedyChoiceListAndReportsTau() {
    Cli cli = Cli.run("tree", "build", "--budget", "3", "--accuracies", "0.5,0.2,0.1;0.4,0.1");
    assertEquals(0, cli.exitCode(), cli.err());
    assertEquals("[[0], [1], [0, 0]]", cli.out().strip());
    // 0.5 + 0.2 + 0.5 * 0.4 = 0.9 expected accepted drafts.
    assertTrue(cli.err().contains("expected tau 1.9000"), cli.err());
  }

  @Test
  void buildFromTheAssumedProfileReproducesTheShippedTree(@TempDir Path dir) throws Exception {
    StringBuilder inline = new StringBuilder();
    for (double[] head : TreeShapes.ASSUMED_ACCURACIES) {
      if (inline.length() > 0) {
        inline.append(';');
      }
      for (int r = 0; r < head.length; r++) {
        inline.append(r > 0 ? "," : "").append(head[r]);
      }
    }
    Path out = dir.resolve("t.json");
    Cli cli =
        Cli.run(
            "tree",
            "build",
            "--budget",
            "16",
            "--accuracies",
            inline.toString(),
            "-o",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.err());
    assertEquals(TreeShapes.shipped("medusa-16"), TreeShapes.load(out, null));
    Cli shown = Cli.run("tree", "show", out.toString(), "--json");
    assertEquals(TreeShapes.shipped("medusa-16").toChoiceList(), shown.out().strip());
  }

  @Test
  void showPrintsOneNodePerLine() {
    Cli cli = Cli.run("tree", "show", "chain-4");
    assertEquals(0, cli.exitCode(), cli.err());
    assertTrue(
        cli.out().startsWith("chain-4: nodes 4 (+ root), depth 4, leaves 1, top-k 1"), cli.out());
    assertTrue(cli.out().contains("        #4 rank 0 [0, 0, 0, 0]"), cli.out());
  }

  @Test
  void badTreesAndAccuraciesAreUsageOrInputErrorsWithAFix() {
    Cli unknown = Cli.run("tree", "show", "medusa-7");
    assertEquals(2, unknown.exitCode());
    assertTrue(unknown.err().contains("neither a shipped tree"), unknown.err());
    Cli dynamic = Cli.run("tree", "show", "dynamic:budget=8,depth=3,topk=2");
    assertEquals(2, dynamic.exitCode());
    assertTrue(dynamic.err().contains("no fixed tree to show"), dynamic.err());
    // An inline value is part of the command line: a bad one is a usage error, like a bad number.
    Cli cumulative = Cli.run("tree", "build", "--budget", "4", "--accuracies", "0.6,0.8");
    assertEquals(2, cumulative.exitCode());
    assertTrue(cumulative.err().contains("not cumulative"), cumulative.err());
  }

  @Test
  void accuraciesOfTheTestHeadsFeedTreeBuild(@TempDir Path dir) throws Exception {
    Path text = dir.resolve("text.txt");
    Files.writeString(text, "To be, or not to be: that is the question. ".repeat(8));
    Path acc = dir.resolve("acc.json");
    Cli cli =
        Cli.run(
            "tree",
            "accuracies",
            "--bundle",
            Cli.testTiny().toString(),
            "--text-file",
            text.toString(),
            "--ranks",
            "4",
            "-o",
            acc.toString());
    assertEquals(0, cli.exitCode(), cli.err());
    JsonObject json = JsonParser.parseString(Files.readString(acc)).getAsJsonObject();
    assertEquals(4, json.getAsJsonArray("accuracies").size(), "one row per head");
    HeadAccuracies read = HeadAccuracies.read(acc.toString());
    assertTrue(read.positions() > 50, "positions " + read.positions());
    Cli built = Cli.run("tree", "build", "--budget", "8", "--accuracies", acc.toString());
    assertEquals(0, built.exitCode(), built.err());
  }

  @Test
  void decodeWithMedusaAndATreeIsIdenticalToPlainDecoding() {
    Cli cli =
        Cli.run(
            "decode",
            "--bundle",
            Cli.testTiny().toString(),
            "--prompt",
            "To be, or not to be",
            "--drafter",
            "medusa",
            "--tree",
            "dynamic:budget=8,depth=3,topk=3",
            "--max-new-tokens",
            "16",
            "--compare",
            "--json");
    assertEquals(0, cli.exitCode(), cli.err());
    JsonObject json = JsonParser.parseString(cli.out()).getAsJsonObject();
    assertEquals("medusa", json.get("drafter").getAsString());
    assertEquals("dynamic:budget=8,depth=3,topk=3", json.get("tree").getAsString());
    assertEquals(8, json.get("draftTokens").getAsInt());
    assertTrue(json.get("identicalToBaseline").getAsBoolean());
  }

  @Test
  void showWithAccuraciesThatDoNotParsePrintsNoTreeAndIsAUsageError() {
    Cli cli = Cli.run("tree", "show", "medusa-8", "--accuracies", "abc");
    assertEquals(ExitCodes.USAGE, cli.exitCode(), cli.err());
    assertEquals("", cli.out(), "nothing printed before the error");
    assertTrue(
        cli.err().startsWith("specdec: error: --accuracies: accuracies 'abc' are neither"),
        cli.err());
  }

  @Test
  void aTreeOfMoreDraftsThanAPassVerifiesIsRefusedNotCut(@TempDir Path dir) throws Exception {
    // 10 children of the root, each with 9 children: 100 drafts.
    StringBuilder choices = new StringBuilder("[");
    for (int a = 0; a < 10; a++) {
      choices.append(a == 0 ? "" : ", ").append("[").append(a).append("]");
    }
    for (int a = 0; a < 10; a++) {
      for (int b = 0; b < 9; b++) {
        choices.append(", [").append(a).append(", ").append(b).append("]");
      }
    }
    Path tree = Files.writeString(dir.resolve("big.json"), choices.append("]").toString());
    Cli cli =
        Cli.run(
            "decode",
            "--bundle",
            Cli.testTiny().toString(),
            "--prompt",
            "x",
            "--drafter",
            "medusa",
            "--tree",
            tree.toString());
    assertEquals(ExitCodes.USAGE, cli.exitCode(), cli.err());
    assertTrue(cli.err().contains("drafts, more than the 64 one pass verifies"), cli.err());
  }
}
