package dev.specdec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code specdec import}: a llama2.c checkpoint becomes a bundle that decodes what llama2.c
 * publishes for it, and what cannot be imported fails with one line and leaves nothing behind. Runs
 * the importers with python3 + numpy + onnx (installed by {@code .ci/run}); the real checkpoint is
 * stories260K in the shared data folder beside the checkout.
 */
class ImportCommandTest {
  @TempDir Path dir;

  private static Path stories() {
    Path shared =
        Path.of(
            System.getProperty("specdec.shared", Cli.root().resolveSibling("shared").toString()));
    return shared.resolve("data/stories260K");
  }

  private static void assertOneLineError(Cli cli, int code, String expected) {
    assertEquals(code, cli.exitCode(), cli.err());
    assertTrue(cli.err().startsWith("specdec: error: " + expected), cli.err());
    assertFalse(cli.err().contains("\tat "), "no stack trace: " + cli.err());
    assertFalse(cli.err().contains("Traceback"), "no Python traceback: " + cli.err());
  }

  /** Nothing but {@code expected} in the temporary folder: no half-written or staging folders. */
  private void assertOnly(String... expected) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      assertEquals(
          java.util.Set.of(expected),
          entries
              .map(p -> p.getFileName().toString())
              .collect(java.util.stream.Collectors.toSet()));
    }
  }

  @Test
  void aLlama2cCheckpointBecomesABundleThatContinuesTheStory() throws IOException {
    Path data = stories();
    assumeTrue(
        Files.isRegularFile(data.resolve("stories260K.bin")),
        "skipped: " + data + " is absent (the shared data folder beside the checkout)");
    Path out = dir.resolve("stories");
    Cli cli =
        Cli.run(
            "import",
            "llama2c",
            data.resolve("stories260K.bin").toString(),
            data.resolve("tok512.bin").toString(),
            out.toString());
    assertEquals(0, cli.exitCode(), cli.err());
    assertTrue(
        cli.out().contains("wrote bundle 'stories260K' to " + out + ": target stories260K"),
        cli.out());
    assertTrue(cli.out().contains("vocabulary 512, 512 positions"), cli.out());
    assertOnly("stories");
    Cli decode =
        Cli.run(
            "decode",
            "--bundle",
            out.toString(),
            "--prompt",
            "Once upon a time, there was a little girl named",
            "--max-new-tokens",
            "12",
            "-k",
            "0");
    assertEquals(0, decode.exitCode(), decode.err());
    assertTrue(decode.out().strip().startsWith("Lily. She loved to play outside"), decode.out());
  }

  @Test
  void whatIsNotALlama2cCheckpointIsRefusedAndNothingIsLeft() throws IOException {
    Path notACheckpoint = Cli.root().resolve("testdata/tokenizer-cases.json");
    Path tokenizer = Cli.root().resolve("testdata/tokenizer-cases.json");
    Cli cli =
        Cli.run(
            "import",
            "llama2c",
            notACheckpoint.toString(),
            tokenizer.toString(),
            dir.resolve("out").toString());
    assertOneLineError(cli, ExitCodes.FAILURE, "");
    assertTrue(cli.err().contains("tokenizer-cases.json: "), cli.err());
    assertTrue(cli.err().contains("llama2.c checkpoint"), cli.err());
    assertOnly();
  }

  @Test
  void aFolderWithoutConfigIsNotAHuggingFaceCheckpoint() throws IOException {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    assertOneLineError(
        Cli.run("import", "hf", empty.toString(), dir.resolve("out").toString()),
        ExitCodes.FAILURE,
        empty.resolve("config.json") + " not found");
    assertOnly("empty");
  }

  @Test
  void missingInputsAndExistingOutputsAreRefusedUpFront() throws IOException {
    Path existing = Files.createDirectory(dir.resolve("taken"));
    assertOneLineError(
        Cli.run("import", "hf", dir.resolve("nope").toString(), dir.resolve("out").toString()),
        ExitCodes.FAILURE,
        dir.resolve("nope") + " does not exist");
    assertOneLineError(
        Cli.run("import", "hf", existing.toString(), existing.toString()),
        ExitCodes.FAILURE,
        existing + " already exists: give a new folder (specdec import never overwrites)");
    assertOneLineError(
        Cli.run(
            "import",
            "llama2c",
            existing.toString(),
            existing.toString(),
            dir.resolve("out").toString(),
            "--bos",
            "-1"),
        ExitCodes.USAGE,
        "BOS id must be >= 0, was -1");
    assertOneLineError(Cli.run("import"), ExitCodes.USAGE, "name the checkpoint's format");
    assertOnly("taken");
  }
}
