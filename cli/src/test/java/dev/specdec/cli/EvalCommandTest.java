package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code specdec eval} end to end on the committed test bundle (models/test-tiny). */
class EvalCommandTest {
  private static final String BUNDLE = Cli.testTiny().toString();

  @TempDir Path dir;

  private Path prompts() throws IOException {
    return Files.writeString(
        dir.resolve("prompts.jsonl"),
        "{\"id\": \"w\", \"category\": \"play\", \"prompt\": \"Now is the winter of our"
            + " discontent\"}\n"
            + "{\"question_id\": 2, \"category\": \"greeting\", \"turns\": [\"Good morrow\"]}\n");
  }

  @Test
  void writesEveryReportFileWithOneEntryPerConfigAndCategory() throws IOException {
    Path out = dir.resolve("report");
    Cli cli =
        Cli.run(
            "eval",
            "--bundle",
            BUNDLE,
            "--prompts",
            prompts().toString(),
            "--max-new-tokens",
            "8",
            "--warmup",
            "0",
            "--config",
            "draft=drafter=draft,k=3",
            "--config",
            "lookup=drafter=lookup,k=4,branches=2",
            "--out",
            out.toString());

    assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
    assertEquals(
        List.of(
            "config draft: prompt 1/2",
            "config draft: prompt 2/2",
            "config lookup: prompt 1/2",
            "config lookup: prompt 2/2"),
        cli.err().lines().toList(),
        "one plain progress line per prompt when stderr is not a terminal");
    assertTrue(cli.out().contains("| draft | 2 |"), cli.out());
    for (String file :
        List.of(
            "report.json",
            "steps.jsonl.gz",
            "summary.csv",
            "summary.md",
            "report.html",
            "speedup.png",
            "acceptance-by-depth.png",
            "accepted-length-histogram.png",
            "tau-by-category.png")) {
      assertTrue(Files.size(out.resolve(file)) > 0, file);
    }
    JsonObject report =
        JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
    assertTrue(report.get("command").getAsString().startsWith("specdec eval --bundle "));
    assertEquals(2, report.getAsJsonArray("configs").size());
    JsonObject draft = report.getAsJsonArray("configs").get(0).getAsJsonObject();
    assertEquals(
        "drafter=draft,k=3,temperature=0.0,top-k=0,top-p=1.0,budget=fixed",
        draft.get("spec").getAsString());
    assertEquals("greedy", draft.get("acceptance").getAsString());
    JsonObject overall = draft.getAsJsonObject("overall");
    assertEquals(2, overall.get("identicalPrompts").getAsInt(), "greedy: same tokens as plain");
    long steps = overall.get("draftingSteps").getAsLong();
    long accepted = overall.get("acceptedTokens").getAsLong();
    assertEquals(
        1 + (double) accepted / steps, overall.get("meanAcceptedLength").getAsDouble(), 1e-12);
    assertEquals(
        List.of("play", "greeting"), List.copyOf(draft.getAsJsonObject("categories").keySet()));
    // 1 header + 2 configs x (all + 2 categories)
    assertEquals(7, Files.readAllLines(out.resolve("summary.csv")).size());
  }

  @Test
  void anUnknownTreeIsAUsageErrorListingTheShippedOnes() throws IOException {
    Cli cli =
        Cli.run(
            "eval",
            "--bundle",
            BUNDLE,
            "--prompts",
            prompts().toString(),
            "--config",
            "t=drafter=draft,tree=mc_sim_7b_63",
            "--out",
            dir.resolve("r").toString());

    assertEquals(ExitCodes.USAGE, cli.exitCode());
    assertTrue(
        cli.err().contains("tree 'mc_sim_7b_63' is neither a shipped tree [chain-4, medusa-8,"),
        cli.err());
  }

  @Test
  void aPromptLongerThanTheContextNeedsTruncatePrompts() throws IOException {
    Path longPrompt =
        Files.writeString(
            dir.resolve("long.txt"), "To be, or not to be, that is the question. ".repeat(60));
    String[] args = {
      "eval",
      "--bundle",
      BUNDLE,
      "--prompts",
      longPrompt.toString(),
      "--max-new-tokens",
      "8",
      "--warmup",
      "0",
      "--config",
      "d=drafter=draft",
      "--out",
      dir.resolve("r").toString()
    };
    Cli refused = Cli.run(args);
    assertEquals(ExitCodes.FAILURE, refused.exitCode(), refused.err());
    assertTrue(refused.err().contains("--truncate-prompts"), refused.err());

    String[] cut = java.util.Arrays.copyOf(args, args.length + 1);
    cut[args.length] = "--truncate-prompts";
    Cli ok = Cli.run(cut);
    assertEquals(ExitCodes.OK, ok.exitCode(), ok.err());
    JsonObject report =
        JsonParser.parseString(Files.readString(dir.resolve("r/report.json"))).getAsJsonObject();
    assertEquals(1, report.get("truncatedRuns").getAsInt());
  }

  private String[] evalInto(Path out, String... extra) throws IOException {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "eval",
                "--bundle",
                BUNDLE,
                "--prompts",
                prompts().toString(),
                "--max-new-tokens",
                "4",
                "--warmup",
                "0",
                "--config",
                "d=drafter=draft,k=2",
                "--out",
                out.toString()));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  @Test
  void aNonEmptyOutNeedsForceAndIsThenReplacedAsAWhole() throws IOException {
    Path out = Files.createDirectories(dir.resolve("previous"));
    Files.writeString(out.resolve("notes.txt"), "an earlier report");

    Cli refused = Cli.run(evalInto(out));
    assertEquals(ExitCodes.FAILURE, refused.exitCode(), refused.err());
    assertEquals(
        "specdec: error: --out "
            + out
            + " is not empty: pass --force to replace it (the new report is swapped in only when"
            + " complete), or choose another directory\n",
        refused.err());
    assertEquals("an earlier report", Files.readString(out.resolve("notes.txt")));

    Cli forced = Cli.run(evalInto(out, "--force"));
    assertEquals(ExitCodes.OK, forced.exitCode(), forced.err());
    assertFalse(Files.exists(out.resolve("notes.txt")), "the old directory is replaced whole");
    assertTrue(Files.isRegularFile(out.resolve("report.json")));
    try (var siblings = Files.list(dir)) {
      assertEquals(
          List.of(),
          siblings.filter(p -> p.getFileName().toString().startsWith(".previous.")).toList(),
          "no staging or set-aside directory is left");
    }
  }

  @Test
  void anOutThatIsAFileSaysSoBeforeDecoding() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Cli cli = Cli.run(evalInto(file));
    assertEquals(ExitCodes.FAILURE, cli.exitCode());
    assertEquals(
        "specdec: error: cannot write the report into "
            + file
            + ": "
            + file
            + " is a file, not a directory\n",
        cli.err(),
        "no progress line either: nothing was decoded");
  }

  @Test
  void anOutWhereNoDirectoryCanBeMadeSaysWhy() throws IOException {
    Path proc = Path.of("/proc/specdec-report");
    assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux's /proc");
    Cli cli = Cli.run(evalInto(proc));
    assertEquals(ExitCodes.FAILURE, cli.exitCode());
    assertEquals(
        "specdec: error: cannot write the report into /proc/specdec-report: cannot create files in"
            + " /proc: the file system does not take new directories there (a virtual file system"
            + " such as /proc?)\n",
        cli.err());
  }

  @Test
  void anOutInAFolderWithoutWritePermissionSaysPermissionDenied() throws IOException {
    Path locked = Files.createDirectories(dir.resolve("locked"));
    Files.setPosixFilePermissions(
        locked, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assumeFalse(Files.isWritable(locked), "runs as root, who may write anywhere");
      Cli cli = Cli.run(evalInto(locked.resolve("report")));
      assertEquals(ExitCodes.FAILURE, cli.exitCode());
      assertTrue(
          cli.err().endsWith("cannot create files in " + locked + ": permission denied\n"),
          cli.err());
    } finally {
      Files.setPosixFilePermissions(
          locked, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void anEvalInterruptedBeforeAnyPromptFinishedWritesNoReport() throws IOException {
    Path out = dir.resolve("never");
    Cli cli = Cli.runInterrupted(evalInto(out));
    assertEquals(ExitCodes.INTERRUPTED, cli.exitCode(), cli.err());
    assertTrue(
        cli.err()
            .endsWith(
                "specdec: interrupted by SIGINT: no prompt finished, no report written ("
                    + out
                    + " is as it was)\n"),
        cli.err());
    assertFalse(Files.exists(out));
    try (var siblings = Files.list(dir)) {
      assertEquals(
          List.of(),
          siblings.filter(p -> p.getFileName().toString().startsWith(".never.")).toList());
    }
  }
}
