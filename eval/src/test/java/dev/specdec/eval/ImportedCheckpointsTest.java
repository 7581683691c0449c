package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.specdec.drafting.LookupConfig;
import dev.specdec.drafting.PromptLookupDrafter;
import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.TextTokenizer;
import dev.specdec.runtime.Engine;
import dev.specdec.tree.TokenTree;
import dev.specdec.verification.GenerationRequest;
import dev.specdec.verification.SpeculativeDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outside check of the importers: the real pretrained llama2.c model stories260K (in {@code
 * ../shared/data/stories260K}, never committed) imported by {@code tools/import_llama2c.py}, run by
 * the specdec runtime, must reproduce the text llama2.c publishes for it; the same weights through
 * the version-1 header and through a Hugging Face checkpoint ({@code tools/import_hf_llama.py},
 * written with our safetensors writer) must give the same logits.
 *
 * <p>The bundles are generated into {@code target/imported} by {@code
 * tools/make_import_fixtures.py}, which needs {@code python3} with numpy and onnx (Debian: {@code
 * python3-numpy python3-onnx}; {@code .ci/run} installs them). Skipped, saying so, only when the
 * shared folder is absent.
 */
class ImportedCheckpointsTest {
  /** What llama2.c prints for stories260K decoded greedily from BOS (../shared/README.md). */
  private static final String PUBLISHED =
      "Once upon a time, there was a little girl named Lily. She loved to play outside in the"
          + " park. One day, she saw a big, red ball.";

  private static Path out;
  private static Path tools;
  private static Path data260K;
  private static Engine engine;

  private record Run(int exitCode, String log) {}

  /** Runs a tools/ script with python3 (-Dspecdec.python, else /usr/bin/python3, else PATH). */
  private static Run python(String... args) throws Exception {
    String python =
        System.getProperty(
            "specdec.python",
            Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3");
    List<String> command = new java.util.ArrayList<>(List.of(python));
    command.addAll(List.of(args));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(
          "cannot run " + python + " (set -Dspecdec.python, or install python3): " + e, e);
    }
    String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "python timed out: " + command);
    return new Run(process.exitValue(), log);
  }

  @BeforeAll
  static void importCheckpoints() throws Exception {
    Path root = Path.of(System.getProperty("specdec.root", "..")).toAbsolutePath().normalize();
    Path shared =
        Path.of(System.getProperty("specdec.shared", root.resolveSibling("shared").toString()));
    Path data = shared.resolve("data/stories260K");
    assumeTrue(
        Files.isRegularFile(data.resolve("stories260K.bin")),
        "skipped: " + data + " is absent (the shared data folder beside the checkout)");
    out = Path.of("target", "imported").toAbsolutePath();
    tools = root.resolve("tools");
    Run run =
        python(
            tools.resolve("make_import_fixtures.py").toString(),
            data.resolve("stories260K.bin").toString(),
            data.resolve("tok512.bin").toString(),
            out.toString());
    assertEquals(
        0,
        run.exitCode(),
        "importers failed (they need python3 with numpy and onnx: apt-get install python3-numpy"
            + " python3-onnx):\n"
            + run.log());
    data260K = data;
    engine = Engine.create();
  }

  @AfterAll
  static void close() {
    if (engine != null) {
      engine.close();
    }
  }

  private static int[] greedy(CausalLm target, int n, boolean lookup) {
    SpeculativeDecoder.Builder builder = SpeculativeDecoder.builder(target);
    if (lookup) {
      builder.drafter(PromptLookupDrafter.create(LookupConfig.defaults())).draftTokens(4);
    }
    return builder
        .build()
        .generate(new int[] {target.info().bosTokenId()}, GenerationRequest.of(n, 0), t -> {})
        .tokens();
  }

  @Test
  void stories260KImportedFromLlama2cReproducesThePublishedStory() throws Exception {
    try (CausalLm target = engine.loadCausalLm(out.resolve("legacy/target.onnx"));
        TextTokenizer tokenizer = engine.loadTokenizer(out.resolve("legacy/tokenizer.json"))) {
      assertEquals(512, target.info().vocabSize());
      assertEquals(512, target.capacity());
      int[] tokens = greedy(target, 64, false);
      String text = tokenizer.decode(tokens);
      assertTrue(text.startsWith(PUBLISHED), "decoded: " + text);
      // speculative (prompt lookup, tree verification) gives the same tokens
      assertArrayEquals(greedy(target, 120, false), greedy(target, 120, true));
    }
  }

  @Test
  void version1HeaderAndHuggingFaceCheckpointGiveTheSameLogits() throws Exception {
    try (CausalLm legacy = engine.loadCausalLm(out.resolve("legacy/target.onnx"));
        CausalLm v1 = engine.loadCausalLm(out.resolve("v1/target.onnx"));
        CausalLm hf = engine.loadCausalLm(out.resolve("hf"))) {
      int[] story = new int[41];
      story[0] = 1;
      System.arraycopy(greedy(legacy, 40, false), 0, story, 1, 40);
      float[][] want = logits(legacy, story);
      assertLogitsEqual(want, logits(v1, story), "v1");
      assertLogitsEqual(want, logits(hf, story), "hf");
      assertEquals(2, hf.info().eosTokenId());
    }
  }

  @Test
  void aTruncatedCheckpointIsRefusedSayingWhatIsWrong(@TempDir Path dir) throws Exception {
    Path truncated = dir.resolve("truncated.bin");
    try (var in = Files.newInputStream(data260K.resolve("stories260K.bin"))) {
      Files.write(truncated, in.readNBytes(5000));
    }
    Run run =
        python(
            tools.resolve("import_llama2c.py").toString(),
            truncated.toString(),
            data260K.resolve("tok512.bin").toString(),
            dir.resolve("out").toString());
    assertEquals(1, run.exitCode(), run.log());
    assertTrue(
        run.log().contains("legacy header (dim 64, hidden 172, layers 5, heads 8, kv heads 4,"),
        run.log());
    assertTrue(run.log().contains("needs 264128 floats of weights, file has 1243"), run.log());
  }

  private static float[][] logits(CausalLm lm, int[] tokens) {
    lm.truncate(0);
    ForwardOutput output = lm.forward(TokenTree.chainOf(tokens));
    float[][] rows = new float[tokens.length][lm.info().vocabSize()];
    for (int r = 0; r < rows.length; r++) {
      output.copyLogits(r, rows[r]);
    }
    lm.truncate(0);
    return rows;
  }

  private static void assertLogitsEqual(float[][] want, float[][] got, String what) {
    for (int r = 0; r < want.length; r++) {
      for (int j = 0; j < want[r].length; j++) {
        assertEquals(want[r][j], got[r][j], 1e-5f, what + ": row " + r + ", token " + j);
      }
    }
  }
}
