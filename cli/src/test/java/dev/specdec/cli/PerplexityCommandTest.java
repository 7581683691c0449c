package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.specdec.model.TextTokenizer;
import dev.specdec.runtime.Engine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code specdec perplexity} end to end on the committed test bundle (models/test-tiny). */
class PerplexityCommandTest {
  private static final String BUNDLE = Cli.testTiny().toString();
  private static final String FIRST =
      "Now is the winter of our discontent\nMade glorious summer.\n";
  private static final String SECOND = "Où est la bibliothèque? — ask the porter.";

  /** {@code specdec perplexity --bundle <test-tiny> ARGS}. */
  private static Cli perplexity(String... args) {
    List<String> all = new ArrayList<>(List.of("perplexity", "--bundle", BUNDLE));
    all.addAll(List.of(args));
    return Cli.run(all.toArray(String[]::new));
  }

  private static void assertError(Cli cli, int code, String expectedMessage) {
    assertEquals(code, cli.exitCode(), cli.err());
    assertTrue(cli.err().startsWith("specdec: error: "), cli.err());
    assertTrue(cli.err().contains(expectedMessage), cli.err());
    assertFalse(cli.err().contains("\tat "), "no stack trace: " + cli.err());
    assertEquals("", cli.out());
  }

  @Test
  void jsonReportsEveryFieldWithTokensFromBothFilesAndTheirUtf8Bytes(@TempDir Path dir)
      throws Exception {
    Path first = Files.writeString(dir.resolve("first.txt"), FIRST);
    Path second = Files.writeString(dir.resolve("second.txt"), SECOND);
    Cli cli =
        perplexity(
            "--text-file",
            first.toString(),
            second.toString(), // one option, two files
            "--context",
            "20",
            "--stride",
            "8",
            "--json");
    assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
    JsonObject json = JsonParser.parseString(cli.out()).getAsJsonObject();
    for (String key :
        List.of(
            "bundle",
            "model",
            "modelName",
            "files",
            "context",
            "stride",
            "tokens",
            "nats",
            "perplexity",
            "bitsPerByte",
            "top1",
            "bytes",
            "totalNats",
            "windows",
            "tokensRun",
            "seconds",
            "tokensPerSecond",
            "perFile")) {
      assertTrue(json.has(key), key + " in " + json);
    }
    assertEquals("target", json.get("model").getAsString());
    assertEquals("test-tiny-target", json.get("modelName").getAsString());
    assertEquals("[\"" + first + "\",\"" + second + "\"]", json.getAsJsonArray("files").toString());
    assertEquals(20, json.get("context").getAsInt());
    assertEquals(8, json.get("stride").getAsInt());

    long tokens;
    try (Engine engine = Engine.create();
        TextTokenizer tokenizer = engine.loadTokenizer(Cli.testTiny().resolve("tokenizer.json"))) {
      tokens = tokenizer.encode(FIRST).length + 1 + tokenizer.encode(SECOND).length + 1;
    }
    long bytes =
        FIRST.getBytes(StandardCharsets.UTF_8).length
            + SECOND.getBytes(StandardCharsets.UTF_8).length;
    assertTrue(bytes > FIRST.length() + SECOND.length(), "the text has multi-byte characters");
    assertEquals(tokens, json.get("tokens").getAsLong());
    assertEquals(bytes, json.get("bytes").getAsLong());
    double totalNats = json.get("totalNats").getAsDouble();
    assertEquals(totalNats / tokens, json.get("nats").getAsDouble(), 1e-12);
    assertEquals(totalNats / Math.log(2) / bytes, json.get("bitsPerByte").getAsDouble(), 1e-12);
    double top1 = json.get("top1").getAsDouble();
    assertTrue(top1 >= 0 && top1 <= 1, "top1 " + top1);
    assertEquals(2, json.getAsJsonArray("perFile").size());
    JsonObject perFirst = json.getAsJsonArray("perFile").get(0).getAsJsonObject();
    assertEquals(first.toString(), perFirst.get("file").getAsString());
    assertEquals(FIRST.length(), perFirst.get("bytes").getAsLong());
  }

  @Test
  void textReportNamesTheFiguresAndTheDraftCanBeScored(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("t.txt"), FIRST);
    Cli cli = perplexity("--text-file", file.toString(), "--model", "draft");
    assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
    for (String label :
        List.of(
            "draft of bundle test-tiny (model 'test-tiny-draft')",
            "context 256, stride 256: 1 window(s)",
            "tokens scored",
            "nats/token",
            "bits/byte",
            "top-1",
            "tokens/s")) {
      assertTrue(cli.out().contains(label), label + " in " + cli.out());
    }
  }

  @Test
  void threadsAndSpinAreTakenAndValidated(@TempDir Path dir) throws Exception {
    String file = Files.writeString(dir.resolve("t.txt"), FIRST).toString();
    // The process's pool is fixed by its first engine: ask for what the defaults resolve to.
    String cores = String.valueOf(Runtime.getRuntime().availableProcessors());
    Cli cli = perplexity("--text-file", file, "--threads", cores, "--spin", "off", "--json");
    assertEquals(ExitCodes.OK, cli.exitCode(), cli.err());
    assertError(
        perplexity("--text-file", file, "--threads", "0"),
        ExitCodes.USAGE,
        "--threads must be in [1, 256], was 0");
  }

  @Test
  void unusableTextFilesAreInputErrors(@TempDir Path dir) throws Exception {
    assertError(
        perplexity("--text-file", dir.resolve("missing.txt").toString()),
        ExitCodes.FAILURE,
        "text file does not exist: " + dir.resolve("missing.txt"));
    assertError(
        perplexity("--text-file", dir.toString()),
        ExitCodes.FAILURE,
        "text file is a directory: " + dir);
    Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9});
    assertError(
        perplexity("--text-file", latin1.toString()),
        ExitCodes.FAILURE,
        "text file is not valid UTF-8: " + latin1);
    Path empty = Files.writeString(dir.resolve("empty.txt"), "");
    assertError(
        perplexity("--text-file", empty.toString()),
        ExitCodes.FAILURE,
        "text file is empty: " + empty);
    // A good file first does not hide a bad one after it.
    Path good = Files.writeString(dir.resolve("good.txt"), FIRST);
    assertError(
        perplexity("--text-file", good.toString(), "--text-file", empty.toString()),
        ExitCodes.FAILURE,
        "text file is empty: " + empty);
  }

  @Test
  void unreadableTextFileIsAnInputError(@TempDir Path dir) throws Exception {
    Path locked = Files.writeString(dir.resolve("locked.txt"), FIRST);
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    assumeFalse(Files.isReadable(locked), "running as root: permissions do not stop reading");
    assertError(
        perplexity("--text-file", locked.toString()),
        ExitCodes.FAILURE,
        "cannot read text file " + locked);
  }

  @Test
  void contextAndStrideOutOfRangeAreUsageErrors(@TempDir Path dir) throws Exception {
    String file = Files.writeString(dir.resolve("t.txt"), FIRST).toString();
    assertError(
        perplexity("--text-file", file, "--context", "257"),
        ExitCodes.USAGE,
        "--context must be in [1, 256] (the positions the target 'test-tiny-target' holds),"
            + " was 257");
    assertError(
        perplexity("--text-file", file, "--context", "0"),
        ExitCodes.USAGE,
        "--context must be >= 1, was 0");
    assertError(
        perplexity("--text-file", file, "--stride", "0"),
        ExitCodes.USAGE,
        "--stride must be >= 1, was 0");
    assertError(
        perplexity("--text-file", file, "--context", "32", "--stride", "33"),
        ExitCodes.USAGE,
        "--stride must be in [1, --context = 32], was 33");
    assertError(
        perplexity("--text-file", file, "--stride", "300"),
        ExitCodes.USAGE,
        "--stride must be in [1, 256]");
    assertError(
        perplexity("--text-file", file, "--model", "medusa"),
        ExitCodes.USAGE,
        "expected one of [target, draft]");
    assertError(perplexity(), ExitCodes.USAGE, "--text-file");
  }
}
