package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code specdec decode} end to end on the committed test bundle (models/test-tiny). */
class DecodeCommandTest {
  private static final String BUNDLE = Cli.testTiny().toString();

  private static void assertUserError(Cli cli, String expectedMessage) {
    assertEquals(ExitCodes.FAILURE, cli.exitCode(), cli.err());
    assertTrue(cli.err().startsWith("specdec: error: "), cli.err());
    assertTrue(cli.err().contains(expectedMessage), cli.err());
    assertFalse(cli.err().contains("\tat "), "no stack trace: " + cli.err());
  }

  /** {@code specdec decode --bundle <test-tiny> ARGS}. */
  private static Cli decodeOnTestBundle(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "decode";
    all[1] = "--bundle";
    all[2] = BUNDLE;
    System.arraycopy(args, 0, all, 3, args.length);
    return Cli.run(all);
  }

  private static JsonObject json(Cli cli) {
    assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
    return JsonParser.parseString(cli.out()).getAsJsonObject();
  }

  @Test
  void jsonOutputIsOnlyTheReportWithEveryField() {
    Cli cli = decodeOnTestBundle("--prompt", "Good morrow", "--max-new-tokens", "16", "--json");
    JsonObject report = json(cli);

    for (String key :
        List.of(
            "text",
            "tokenIds",
            "newTokens",
            "targetPasses",
            "meanAcceptedLength",
            "acceptanceRate",
            "acceptanceByPosition",
            "tokensPerSecond",
            "stopReason",
            "drafter",
            "draftTokens",
            "temperature")) {
      assertTrue(report.has(key), key);
    }
    assertEquals(16, report.getAsJsonArray("tokenIds").size());
    assertEquals("draft", report.get("drafter").getAsString(), "the bundle has a draft model");
    assertEquals(4, report.get("draftTokens").getAsInt(), "the bundle's default k");
    assertEquals(4, report.getAsJsonArray("acceptanceByPosition").size());
    assertFalse(report.has("speedup"), "no comparison asked for");
  }

  @Test
  void typicalAcceptanceAtTemperatureZeroMatchesPlainGreedyDecoding() {
    JsonObject report =
        json(
            decodeOnTestBundle(
                "--prompt",
                "Now is the winter",
                "--acceptance",
                "typical:0.09,0.3",
                "--compare",
                "--json",
                "--max-new-tokens",
                "24"));
    assertEquals("typical", report.get("rule").getAsString());
    assertTrue(report.get("identicalToBaseline").getAsBoolean());
  }

  @Test
  void greedyComparisonReportsOutputIdenticalToBaseline() {
    JsonObject report =
        json(
            decodeOnTestBundle(
                "--prompt",
                "Now is the winter",
                "--compare",
                "--json",
                "-k",
                "3",
                "--max-new-tokens",
                "40"));

    assertTrue(report.get("identicalToBaseline").getAsBoolean());
    assertTrue(report.get("speedup").getAsDouble() > 0);
    assertTrue(report.get("baselineTokensPerSecond").getAsDouble() > 0);
    assertEquals(40, report.get("baselineTargetPasses").getAsInt(), "one pass per token");
    assertEquals(3, report.get("draftTokens").getAsInt());
  }

  @Test
  void defaultBundleComesFromTheSpecdecHome() {
    // The tests run with the repository as neither home nor working directory, so pass it.
    String previous = System.getProperty("specdec.home");
    System.setProperty("specdec.home", Cli.root().toString());
    try {
      JsonObject report =
          json(Cli.run("decode", "--prompt", "int x", "--max-new-tokens", "4", "--json"));
      assertEquals("specdec-java", report.get("bundle").getAsString());
    } finally {
      if (previous == null) {
        System.clearProperty("specdec.home");
      } else {
        System.setProperty("specdec.home", previous);
      }
    }
  }

  @Test
  void textOutputStreamsTheTextThenTheReport() {
    Cli cli = decodeOnTestBundle("--prompt", "Wherefore", "--max-new-tokens", "12", "--compare");

    assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
    for (String label :
        List.of(
            "new tokens",
            "target passes",
            "mean accepted τ",
            "acceptance rate",
            "by position",
            "tokens/s",
            "baseline",
            "speedup",
            "identical        yes")) {
      assertTrue(cli.out().contains(label), label + " in:\n" + cli.out());
    }
    assertEquals("", cli.err());
  }

  @Test
  void sampledDecodingIsReproducibleForASeed() {
    String[] args = {
      "decode",
      "--bundle",
      BUNDLE,
      "--prompt",
      "Romeo",
      "--temperature",
      "0.9",
      "--top-p",
      "0.95",
      "--seed",
      "17",
      "--max-new-tokens",
      "20",
      "--json"
    };
    JsonObject first = json(Cli.run(args));
    JsonObject second = json(Cli.run(args));

    assertEquals(first.get("tokenIds"), second.get("tokenIds"));
    assertEquals("rejection-sampling", first.get("rule").getAsString());
  }

  @Test
  void plainDecodingWithDrafterNone() {
    JsonObject report =
        json(
            decodeOnTestBundle(
                "--prompt", "Hello", "--drafter", "none", "--max-new-tokens", "8", "--json"));

    assertEquals("none", report.get("drafter").getAsString());
    assertEquals(0, report.get("draftTokens").getAsInt());
    assertEquals(8, report.get("targetPasses").getAsInt());
    assertTrue(report.get("acceptanceRate").isJsonNull(), "nothing drafted");
  }

  @ParameterizedTest
  @CsvSource({"lookup, 1", "lookup, 3", "lookup+draft, 1", "lookup+draft, 3"})
  void greedyLookupComparisonIsIdenticalToBaseline(String drafter, String branches) {
    JsonObject report =
        json(
            decodeOnTestBundle(
                "--prompt",
                "public int size() { return size; }\npublic int size() {",
                "--drafter",
                drafter,
                "--branches",
                branches,
                "--temperature",
                "0",
                "--budget",
                "fixed", // what the lookup proposes, not whether it pays on the random test models
                "--max-new-tokens",
                "40",
                "--compare",
                "--json"));

    assertTrue(report.get("identicalToBaseline").getAsBoolean());
    assertEquals(drafter, report.get("drafter").getAsString());
    assertEquals(Integer.parseInt(branches), report.get("branches").getAsInt());
    assertEquals(3, report.get("ngramMax").getAsInt());
    assertEquals(drafter.equals("lookup") ? 1 : 2, report.get("ngramMin").getAsInt());
    assertTrue(report.get("acceptedTokens").getAsInt() > 0, "the repeated text was copied");
    assertTrue(
        report.get("targetPasses").getAsInt() < report.get("baselineTargetPasses").getAsInt());
  }

  @Test
  void lookupSettingsAreReportedAsGiven() {
    JsonObject report =
        json(
            decodeOnTestBundle(
                "--prompt",
                "a b a b a",
                "--drafter",
                "lookup",
                "-k",
                "6",
                "--ngram-max",
                "5",
                "--ngram-min",
                "2",
                "--branches",
                "2",
                "--max-new-tokens",
                "8",
                "--json"));

    assertEquals(6, report.get("draftTokens").getAsInt());
    assertEquals(5, report.get("ngramMax").getAsInt());
    assertEquals(2, report.get("ngramMin").getAsInt());
    assertEquals(2, report.get("branches").getAsInt());
  }

  @Test
  void aDecodeStoppedBeforeItsFirstStepReportsStopReasonInterruptedAndExits130() {
    Cli cli =
        Cli.runInterrupted(
            "decode", "--bundle", Cli.testTiny().toString(), "--prompt", "Good morrow", "--json");

    assertEquals(ExitCodes.INTERRUPTED, cli.exitCode(), cli.err());
    JsonObject report = JsonParser.parseString(cli.out()).getAsJsonObject();
    assertEquals("interrupted", report.get("stopReason").getAsString());
    assertEquals(0, report.get("newTokens").getAsInt());
    assertEquals(
        "specdec: interrupted by SIGINT: stopped after 0 new tokens\n", cli.err(), cli.err());
  }

  @Test
  void promptFileIsRead(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("prompt.txt");
    Files.writeString(file, "First Citizen:\n");
    JsonObject report =
        json(
            decodeOnTestBundle(
                "--prompt-file", file.toString(), "--max-new-tokens", "4", "--json"));

    assertEquals(4, report.get("newTokens").getAsInt());
  }

  @Test
  void missingPromptFileIsAUserError(@TempDir Path dir) {
    assertUserError(
        decodeOnTestBundle("--prompt-file", dir.resolve("nope.txt").toString()),
        "prompt file does not exist");
  }

  @Test
  void aDirectoryGivenAsPromptFileIsNamedADirectory(@TempDir Path dir) {
    assertUserError(
        decodeOnTestBundle("--prompt-file", dir.toString()),
        "prompt file " + dir + " is a directory, not a file");
  }

  @Test
  void aPromptArgumentThatIsNotUtf8IsRefusedLikeAPromptFile() {
    // What the JVM makes of bytes that do not decode: U+FFFD.
    Cli cli = decodeOnTestBundle("--prompt", "caf\uFFFD au lait");
    assertEquals(ExitCodes.USAGE, cli.exitCode(), cli.err());
    assertTrue(cli.err().startsWith("specdec: error: --prompt is not valid "), cli.err());
    assertTrue(cli.err().contains("or use --prompt-file"), cli.err());
  }

  @Test
  void aModelFailingMidDecodeIsOneLineNamingThePositionAndTheLikelyCause(@TempDir Path dir)
      throws Exception {
    // Declares 1024 positions, has a rotary table of 256 rows: fails at position 256.
    Path bundle = bundleOf(dir, "short-rope-table.onnx", null);
    Cli cli =
        Cli.run(
            "decode",
            "--bundle",
            bundle.toString(),
            "--prompt",
            "x",
            "--drafter",
            "none",
            "--max-new-tokens",
            "400");

    assertEquals(ExitCodes.FAILURE, cli.exitCode(), cli.err());
    assertFalse(cli.out().isEmpty(), "the text decoded before the failure was streamed");
    assertEquals(1, cli.err().lines().count(), cli.err());
    assertTrue(
        cli.err().startsWith("specdec: error: model 'short-rope-table' failed at position 256 "),
        cli.err());
    assertTrue(cli.err().contains("indices element out of data bounds"), cli.err());
    assertTrue(
        cli.err().contains("shorter than the 1024 positions its metadata declares"), cli.err());
    assertFalse(cli.err().contains("\u001b"), "no raw ONNX Runtime log line: " + cli.err());
  }

  @Test
  void missingBundleIsAUserError(@TempDir Path dir) {
    assertUserError(
        Cli.run("decode", "--bundle", dir.resolve("no-such-bundle").toString(), "--prompt", "x"),
        "bundle directory does not exist");
  }

  @Test
  void promptLongerThanTheContextIsAUserErrorNamingTheLimit() {
    String longPrompt = "All the world's a stage. ".repeat(200);
    assertUserError(
        decodeOnTestBundle("--prompt", longPrompt),
        "does not fit the model's context of 256 positions");
  }

  /**
   * A bundle in {@code dir} of the test tokenizer, {@code target} and (optionally) {@code draft}:
   * files of testdata/bad-models, or {@code test-tiny} for the test bundle's model.
   */
  private static Path bundleOf(Path dir, String target, String draft) throws Exception {
    Path models = Cli.root().resolve("testdata/bad-models");
    Files.copy(Cli.testTiny().resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    Files.copy(
        target.equals("test-tiny") ? Cli.testTiny().resolve("target.onnx") : models.resolve(target),
        dir.resolve("target.onnx"));
    String draftEntry = "";
    if (draft != null) {
      Files.copy(
          draft.equals("test-tiny") ? Cli.testTiny().resolve("draft.onnx") : models.resolve(draft),
          dir.resolve("draft.onnx"));
      draftEntry = ", \"draft\": \"draft.onnx\"";
    }
    Files.writeString(
        dir.resolve("specdec.json"),
        "{\"format\": \"specdec-bundle/1\", \"tokenizer\": \"tokenizer.json\","
            + " \"target\": \"target.onnx\""
            + draftEntry
            + "}");
    return dir;
  }

  @Test
  void nanLogitsAreAUserError(@TempDir Path dir) throws Exception {
    Path bundle = bundleOf(dir, "nan-logits.onnx", null);
    assertUserError(Cli.run("decode", "--bundle", bundle.toString(), "--prompt", "x"), "NaN");
  }

  @Test
  void modelBreakingTheContractIsAUserError(@TempDir Path dir) throws Exception {
    Path bundle = bundleOf(dir, "missing-position-ids.onnx", null);
    assertUserError(
        Cli.run("decode", "--bundle", bundle.toString(), "--prompt", "x"), "position_ids");
  }

  @Test
  void draftWithAnotherVocabularyIsAUserError(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("b"));
    Path bundle = bundleOf(dir.resolve("b"), "nan-logits.onnx", "draft-vocab-300.onnx");
    assertUserError(
        Cli.run("decode", "--bundle", bundle.toString(), "--prompt", "x"),
        "draft vocabulary (300) differs from target vocabulary (512)");
  }

  @Test
  void draftDrafterOnABundleWithoutDraftIsAUserError(@TempDir Path dir) throws Exception {
    Path bundle = bundleOf(dir, "nan-logits.onnx", null);
    assertUserError(
        Cli.run("decode", "--bundle", bundle.toString(), "--prompt", "x", "--drafter", "draft"),
        "has no draft model");
  }

  @Test
  void lookupThenDraftOnABundleWithoutDraftIsAUserError(@TempDir Path dir) throws Exception {
    Path bundle = bundleOf(dir, "test-tiny", null);
    assertUserError(
        Cli.run(
            "decode", "--bundle", bundle.toString(), "--prompt", "x", "--drafter", "lookup+draft"),
        "has no draft model, which drafter lookup+draft needs");
  }

  @Test
  void lookupRunsOnABundleWithoutDraft(@TempDir Path dir) throws Exception {
    Path bundle = bundleOf(dir, "test-tiny", null);
    JsonObject report =
        json(
            Cli.run(
                "decode",
                "--bundle",
                bundle.toString(),
                "--prompt",
                "x y x y x",
                "--drafter",
                "lookup",
                "--max-new-tokens",
                "8",
                "--json"));

    assertEquals("lookup", report.get("drafter").getAsString());
    assertEquals(8, report.get("newTokens").getAsInt());
  }

  @Test
  void cudaOnTheCpuBuildIsAClearUserError() {
    assertUserError(
        decodeOnTestBundle("--prompt", "x", "--device", "cuda"), "no CUDA execution provider");
  }
}
