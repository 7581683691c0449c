package dev.specdec.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.ModelInfo;
import dev.specdec.tree.TokenTree;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models in Hugging Face Optimum's decoder layout (testdata/optimum-tiny, made by
 * tools/make_optimum_fixtures.py): detection, config files, logits against a naive numpy reference
 * and against the same weights in the specdec layout through every cache operation, and the errors
 * for what the layout cannot do or does not match.
 */
class OptimumCausalLmTest {
  /** float32 ORT vs the float64 numpy reference rounded to 6 decimals. */
  private static final float REFERENCE_TOLERANCE = 2e-4f;

  /** Two float32 graphs of the same weights and the same math: rounding only. */
  private static final float LAYOUT_TOLERANCE = 1e-4f;

  private static Engine engine;
  private static CausalLm optimum;
  private static CausalLm specdec;

  @BeforeAll
  static void load() throws Exception {
    engine = Engine.create();
    optimum = engine.loadCausalLm(Fixtures.optimumTiny().resolve("target"));
    specdec =
        engine.loadCausalLm(Fixtures.optimumTiny().resolve("target-specdec.onnx"), Device.cpu());
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  @BeforeEach
  void emptyCaches() {
    optimum.truncate(0);
    specdec.truncate(0);
  }

  @Test
  void readsSizesAndSpecialTokensFromConfigJson() {
    assertEquals(new ModelInfo("target", 0, 2, 4, 2, 8, 32, 512, 128, 1, 2), optimum.info());
    assertFalse(optimum.supportsTreeMasks());
    assertTrue(specdec.supportsTreeMasks());
  }

  @Test
  void promptLogitsMatchTheNaiveReference() throws Exception {
    JsonObject ref = Fixtures.json(Fixtures.optimumTiny().resolve("reference.json"));
    int[] prompt = Fixtures.ints(ref.getAsJsonArray("prompt"));
    JsonArray rows = ref.getAsJsonArray("prompt_logits");
    ForwardOutput out = optimum.forward(TokenTree.chainOf(prompt));
    float[] got = new float[512];
    float[] want = new float[512];
    for (int r = 0; r < prompt.length; r++) {
      out.copyLogits(r, got);
      JsonArray row = rows.get(r).getAsJsonArray();
      for (int j = 0; j < want.length; j++) {
        want[j] = row.get(j).getAsFloat();
      }
      float diff = Fixtures.maxAbsDiff(got, want);
      assertTrue(diff < REFERENCE_TOLERANCE, "row " + r + ": max |d| " + diff);
    }
  }

  /**
   * Random chains, partial commits (rejected drafts: the head-major repack) and truncations,
   * mirrored on the specdec-layout export of the same weights: the logits agree at every step.
   */
  @Test
  void everyCacheOperationAgreesWithTheSpecdecLayout() {
    SplittableRandom rng = new SplittableRandom(42);
    float[] a = new float[512];
    float[] b = new float[512];
    long copiedBefore = optimum.stats().rowsCopied();
    long expectedCopies = 0;
    int steps = 0;
    while (steps < 60) {
      int room = optimum.capacity() - optimum.cacheLength();
      if (room < 10 || rng.nextInt(10) == 0) {
        int length = rng.nextInt(optimum.cacheLength() + 1);
        if (length > 0 && length < optimum.cacheLength()) {
          expectedCopies += length;
        }
        optimum.truncate(length);
        specdec.truncate(length);
        continue;
      }
      int t = 1 + rng.nextInt(8);
      int[] tokens = rng.ints(t, 3, 512).toArray();
      ForwardOutput x = optimum.forward(TokenTree.chainOf(tokens));
      ForwardOutput y = specdec.forward(TokenTree.chainOf(tokens));
      for (int r = 0; r < t; r++) {
        x.copyLogits(r, a);
        y.copyLogits(r, b);
        float diff = Fixtures.maxAbsDiff(a, b);
        assertTrue(diff < LAYOUT_TOLERANCE, "step " + steps + " row " + r + ": max |d| " + diff);
      }
      int keep = rng.nextInt(t + 1);
      if (keep < t) {
        expectedCopies += optimum.cacheLength() + keep;
      }
      optimum.commitPrefix(keep);
      specdec.commitPrefix(keep);
      assertEquals(specdec.cacheLength(), optimum.cacheLength());
      steps++;
    }
    assertEquals(expectedCopies, optimum.stats().rowsCopied() - copiedBefore);
  }

  /** Optimum's merged export takes use_cache_branch; one pass equals token-by-token passes. */
  @Test
  void aMergedExportRunsWithItsCacheBranchInput() throws Exception {
    Path dir = Fixtures.optimumTiny().resolve("draft");
    assertTrue(Files.isRegularFile(dir.resolve("decoder_model_merged.onnx")));
    try (CausalLm draft = engine.loadCausalLm(dir)) {
      assertEquals(1, draft.info().numLayers());
      int[] tokens = {1, 40, 41, 42, 43};
      float[] whole = new float[512];
      draft.forward(TokenTree.chainOf(tokens)).copyLogits(tokens.length - 1, whole);
      draft.truncate(0);
      float[] stepwise = new float[512];
      for (int token : tokens) {
        draft.forward(TokenTree.rootOnly(token)).copyLogits(0, stepwise);
        draft.commitPrefix(1);
      }
      float diff = Fixtures.maxAbsDiff(whole, stepwise);
      assertTrue(diff < LAYOUT_TOLERANCE, "max |d| " + diff);
    }
  }

  @Test
  void rejectsTreesWithBranches() {
    TokenTree tree = TokenTree.of(new int[] {5, 6, 7}, new int[] {-1, 0, 0});
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> optimum.forward(tree));
    assertTrue(e.getMessage().contains("2-D attention mask"), e.getMessage());
    assertEquals(0, optimum.cacheLength());
  }

  @Test
  void hiddenStatesAreUnsupportedWithAReason() {
    ForwardOutput out = optimum.forward(TokenTree.rootOnly(5));
    UnsupportedOperationException e =
        assertThrows(
            UnsupportedOperationException.class, () -> out.copyHiddenState(0, new float[32]));
    assertTrue(e.getMessage().contains("no hidden_states output"), e.getMessage());
  }

  @Test
  void commitOfANonPrefixPathIsRejected() {
    optimum.forward(TokenTree.chainOf(new int[] {5, 6, 7}));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> optimum.commit(new int[] {0, 2}));
    assertTrue(e.getMessage().contains("not a root-to-node path"), e.getMessage());
  }

  @Test
  void missingConfigJsonIsNamedWithTheFix(@TempDir Path dir) throws Exception {
    Files.copy(Fixtures.optimumTiny().resolve("target/model.onnx"), dir.resolve("model.onnx"));
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> engine.loadCausalLm(dir));
    assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    assertTrue(e.getReason().contains("put the model's config.json in"), e.getReason());
  }

  @Test
  void configDisagreeingWithTheGraphIsRejected(@TempDir Path dir) throws Exception {
    Path source = Fixtures.optimumTiny().resolve("target");
    Files.copy(source.resolve("model.onnx"), dir.resolve("model.onnx"));
    Files.writeString(
        dir.resolve("config.json"),
        Files.readString(source.resolve("config.json"))
            .replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3"));
    ModelContractException e =
        assertThrows(ModelContractException.class, () -> engine.loadCausalLm(dir));
    assertTrue(
        e.getMessage().startsWith("model model.onnx: input 'past_key_values.2.key' missing"),
        e.getMessage());
  }

  @Test
  void aModelOfNeitherLayoutIsRejectedListingWhatItHas() {
    ModelContractException e =
        assertThrows(
            ModelContractException.class,
            () -> engine.loadCausalLm(Fixtures.optimumTiny().resolve("no-cache.onnx")));
    String m = e.getMessage();
    assertTrue(
        m.startsWith("model no-cache.onnx: unsupported layout: inputs [input_ids: int64"), m);
    assertTrue(m.contains("outputs [logits: float32 [batch_size, sequence_length, 512]]"), m);
    assertTrue(m.contains("expected either the specdec contract v1"), m);
    assertTrue(m.contains("or the Hugging Face Optimum decoder layout"), m);
    assertTrue(m.contains("past_key_values.{i}.key"), m);
  }

  @Test
  void aDirectoryWithoutAModelSaysWhatItLookedFor(@TempDir Path dir) {
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> engine.loadCausalLm(dir));
    assertTrue(e.getReason().contains("decoder_model_merged.onnx"), e.getReason());
  }
}
