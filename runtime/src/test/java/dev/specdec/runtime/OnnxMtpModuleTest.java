package dev.specdec.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.ModelInfo;
import dev.specdec.model.MtpInfo;
import dev.specdec.model.MtpModule;
import dev.specdec.tree.TokenTree;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The test-tiny MTP module through ONNX Runtime: golden values, its cache, load-time checks. */
class OnnxMtpModuleTest {
  private static Engine engine;
  private static CausalLm target;
  private static MtpModule mtp;
  private static JsonObject reference;

  @BeforeAll
  static void load() throws Exception {
    engine = Engine.create();
    target = engine.loadCausalLm(Fixtures.target(), Device.cpu());
    mtp = engine.loadMtp(mtpFile(), Device.cpu(), target.info());
    reference = Fixtures.json(Fixtures.testTiny().resolve("mtp-reference.json"));
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  private static Path mtpFile() {
    return Fixtures.testTiny().resolve("mtp.onnx");
  }

  /** The target's hidden states of every position of {@code tokens}, node-major. */
  private static float[] targetHidden(int[] tokens) {
    target.truncate(0);
    ForwardOutput out = target.forward(TokenTree.chainOf(tokens));
    int h = target.info().hiddenSize();
    float[] all = new float[tokens.length * h];
    float[] row = new float[h];
    for (int i = 0; i < tokens.length; i++) {
      out.copyHiddenState(i, row);
      System.arraycopy(row, 0, all, i * h, h);
    }
    target.truncate(0);
    return all;
  }

  @Test
  void declaresTheTargetsSizesAndOneSlotLessThanItsPositions() {
    MtpInfo info = mtp.info();
    assertEquals("test-tiny-mtp", info.name());
    assertEquals("test-tiny-target", info.target());
    assertEquals(target.info().hiddenSize(), info.hiddenSize());
    assertEquals(target.info().vocabSize(), info.vocabSize());
    assertEquals(info.maxPositions() - 1, mtp.capacity());
  }

  @Test
  void reproducesTheGeneratorsGoldenLogitsAndGreedyChain() {
    int[] prompt = Fixtures.ints(reference.getAsJsonArray("prompt_ids"));
    int n = prompt.length - 1; // pairs (h_j, prompt[j + 1])
    float[] hidden = targetHidden(prompt);
    int v = mtp.info().vocabSize();
    int h = mtp.info().hiddenSize();
    mtp.truncate(0);
    ForwardOutput out =
        mtp.forward(TokenTree.chainOf(Arrays.copyOfRange(prompt, 1, n + 1)), hidden);
    int[] argmax = new int[n];
    float[] logits = new float[v];
    for (int j = 0; j < n; j++) {
      out.copyLogits(j, logits);
      argmax[j] = Fixtures.argmax(logits);
    }
    assertArrayEquals(Fixtures.ints(reference.getAsJsonArray("argmax_per_pair")), argmax);
    JsonArray first16 = reference.getAsJsonArray("last_pair_logits_first16");
    for (int i = 0; i < 16; i++) {
      assertEquals(first16.get(i).getAsFloat(), logits[i], 2e-4f, "logit " + i);
    }

    // Chain greedily from the last pair with the module's own hidden state, one slot at a time.
    float[] next = new float[h];
    out.copyHiddenState(n - 1, next);
    int token = argmax[n - 1];
    mtp.commitPrefix(n);
    int[] chain = new int[4];
    chain[0] = token;
    for (int d = 1; d < chain.length; d++) {
      out = mtp.forward(TokenTree.rootOnly(token), next);
      out.copyLogits(0, logits);
      out.copyHiddenState(0, next);
      mtp.commitPrefix(1);
      token = Fixtures.argmax(logits);
      chain[d] = token;
    }
    assertArrayEquals(Fixtures.ints(reference.getAsJsonArray("greedy_chain")), chain);
    assertEquals(0, ((OnnxMtpModule) mtp).liveTensors());
  }

  @Test
  void incrementalPassesWithATreeAndItsCommittedPathEqualOneFullPass() {
    int[] tokens = {1, 45, 97, 200, 13, 7, 300, 41, 9, 77, 5};
    float[] hidden = targetHidden(tokens);
    int h = mtp.info().hiddenSize();
    int v = mtp.info().vocabSize();
    int n = tokens.length - 1;
    int[] pairs = Arrays.copyOfRange(tokens, 1, n + 1);
    mtp.truncate(0);
    ForwardOutput full = mtp.forward(TokenTree.chainOf(pairs), hidden);
    float[][] want = new float[n][v];
    for (int j = 0; j < n; j++) {
      full.copyLogits(j, want[j]);
    }
    mtp.truncate(0);
    mtp.forward(TokenTree.chainOf(Arrays.copyOf(pairs, 4)), hidden);
    mtp.commitPrefix(4);
    // A tree whose path 0 -> 2 -> 3 carries pairs 4, 5, 6; node 1 is a decoy sibling.
    TokenTree tree =
        TokenTree.of(new int[] {pairs[4], 99, pairs[5], pairs[6]}, new int[] {-1, 0, 0, 2});
    float[] treeHidden = new float[4 * h];
    System.arraycopy(hidden, 4 * h, treeHidden, 0, h);
    System.arraycopy(hidden, 5 * h, treeHidden, h, h); // the decoy's, unrelated
    System.arraycopy(hidden, 5 * h, treeHidden, 2 * h, h);
    System.arraycopy(hidden, 6 * h, treeHidden, 3 * h, h);
    ForwardOutput out = mtp.forward(tree, treeHidden);
    float[] got = new float[v];
    int[] rows = {0, 2, 3};
    for (int k = 0; k < rows.length; k++) {
      out.copyLogits(rows[k], got);
      assertTrue(Fixtures.maxAbsDiff(want[4 + k], got) < 1e-4f, "pair " + (4 + k));
    }
    mtp.commit(new int[] {0, 2, 3});
    assertEquals(7, mtp.cacheLength());
    out =
        mtp.forward(
            TokenTree.chainOf(Arrays.copyOfRange(pairs, 7, n)),
            Arrays.copyOfRange(hidden, 7 * h, n * h));
    for (int j = 7; j < n; j++) {
      out.copyLogits(j - 7, got);
      assertTrue(Fixtures.maxAbsDiff(want[j], got) < 1e-4f, "pair " + j);
    }
  }

  @Test
  void rejectsTooFewHiddenStatesNamingTheSizes() {
    mtp.truncate(0);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> mtp.forward(TokenTree.chain(5, 6, 7), new float[64]));
    assertEquals(
        "model 'test-tiny-mtp': hidden states for 3 nodes need 192 floats (3 x 64), found 64",
        e.getMessage());
  }

  @Test
  void rejectsAModuleMadeForAnotherTarget() throws Exception {
    ModelInfo draft;
    try (CausalLm lm = engine.loadCausalLm(Fixtures.draft(), Device.cpu())) {
      draft = lm.info();
    }
    ModelContractException e =
        assertThrows(
            ModelContractException.class, () -> engine.loadMtp(mtpFile(), Device.cpu(), draft));
    assertEquals(
        "MTP module mtp.onnx was made for target 'test-tiny-target' (specdec.target), but the"
            + " target is 'test-tiny-draft': use the MTP module exported with this target",
        e.getMessage());
  }

  @Test
  void rejectsADecoderPassedAsAnMtpModule() {
    ModelContractException e =
        assertThrows(
            ModelContractException.class,
            () -> engine.loadMtp(Fixtures.target(), Device.cpu(), target.info()));
    assertEquals(
        "MTP module target.onnx: expected specdec.role 'mtp', found 'decoder' (a decoder model is"
            + " not an MTP module)",
        e.getMessage());
  }

  @Test
  void rejectsAModuleWithoutMetadataListingTheKeys() {
    ModelContractException e =
        assertThrows(
            ModelContractException.class,
            () -> engine.loadMtp(Fixtures.badModel("no-metadata"), Device.cpu(), target.info()));
    assertTrue(
        e.getMessage().startsWith("MTP module no-metadata.onnx: metadata key 'specdec.contract'"),
        e.getMessage());
  }
}
