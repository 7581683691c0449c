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
import dev.specdec.tree.TokenTree;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ORT-backed causal LM on the committed tiny target: passes over chains and trees against
 * single-token passes, cache commit and rollback, golden values from an independent float64 torch
 * implementation, misuse, and native-tensor ownership.
 */
class OnnxCausalLmTest {
  /** float32 ORT vs float32 ORT over different pass shapes: differences are rounding only. */
  private static final float PASS_SHAPE_TOLERANCE = 1e-4f;

  /** float32 ORT vs the float64 torch reference rounded to 6 decimals. */
  private static final float REFERENCE_TOLERANCE = 1e-4f;

  private static final int[] PROMPT = {1, 45, 97, 200, 13, 7, 52, 136};

  private static Engine engine;
  private static OnnxCausalLm target;

  @BeforeAll
  static void load() throws Exception {
    engine = Engine.create();
    target = (OnnxCausalLm) engine.loadCausalLm(Fixtures.target(), Device.cpu());
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  @BeforeEach
  void emptyCache() {
    target.truncate(0);
  }

  @Test
  void readsModelInfoFromMetadata() {
    ModelInfo info = target.info();
    assertEquals(new ModelInfo("test-tiny-target", 1, 4, 4, 2, 16, 64, 512, 256, 1, 2), info);
    assertEquals(256, target.capacity());
  }

  @Test
  void chainPassEqualsSingleTokenPasses() {
    // Over an empty cache and over a 3-token cache: the chain's logits rows and hidden states equal
    // those of running its tokens one pass at a time, within PASS_SHAPE_TOLERANCE (abs).
    for (int past : new int[] {0, 3}) {
      target.truncate(0);
      prefill(Arrays.copyOf(PROMPT, past));
      int[] chain = Arrays.copyOfRange(PROMPT, past, PROMPT.length);
      ForwardOutput out = target.forward(TokenTree.chainOf(chain));
      float[][] chainLogits = rows(out, chain.length, true);
      float[][] chainHidden = rows(out, chain.length, false);

      target.truncate(past);
      for (int i = 0; i < chain.length; i++) {
        ForwardOutput single = target.forward(TokenTree.rootOnly(chain[i]));
        float[] logits = rows(single, 1, true)[0];
        float[] hidden = rows(single, 1, false)[0];
        target.commitPrefix(1);
        assertTrue(
            Fixtures.maxAbsDiff(chainLogits[i], logits) <= PASS_SHAPE_TOLERANCE,
            "past " + past + ", row " + i + ": " + Fixtures.maxAbsDiff(chainLogits[i], logits));
        assertTrue(Fixtures.maxAbsDiff(chainHidden[i], hidden) <= PASS_SHAPE_TOLERANCE);
      }
      assertEquals(PROMPT.length, target.cacheLength());
    }
  }

  @Test
  void treePassLogitsEqualEachRootToNodePathRunAsAChain() {
    // vLLM's example: a root with two children, each with two children.
    TokenTree tree =
        TokenTree.of(new int[] {7, 52, 99, 136, 114, 300, 301}, new int[] {-1, 0, 0, 1, 1, 2, 2});
    prefill(new int[] {1, 45, 97, 200, 13});
    int past = target.cacheLength();
    ForwardOutput out = target.forward(tree);
    float[][] treeLogits = rows(out, tree.size(), true);
    float[][] treeHidden = rows(out, tree.size(), false);

    for (int node = 0; node < tree.size(); node++) {
      target.truncate(past);
      int[] path = tree.tokensTo(node);
      ForwardOutput chain = target.forward(TokenTree.chainOf(path));
      float[] last = rows(chain, path.length, true)[path.length - 1];
      float[] lastHidden = rows(chain, path.length, false)[path.length - 1];
      assertTrue(
          Fixtures.maxAbsDiff(treeLogits[node], last) <= PASS_SHAPE_TOLERANCE,
          "node " + node + ": " + Fixtures.maxAbsDiff(treeLogits[node], last));
      assertTrue(Fixtures.maxAbsDiff(treeHidden[node], lastHidden) <= PASS_SHAPE_TOLERANCE);
    }
  }

  @Test
  void committingANonContiguousTreePathThenDecodingEqualsDecodingThatPathAsAChain() {
    TokenTree tree =
        TokenTree.of(new int[] {7, 52, 99, 136, 114, 300, 301}, new int[] {-1, 0, 0, 1, 1, 2, 2});
    int[] next = {410, 5, 88};
    prefill(new int[] {1, 45, 97, 200, 13});
    int past = target.cacheLength();
    long copiedBefore = target.stats().rowsCopied();

    target.forward(tree);
    target.commit(new int[] {0, 2, 6}); // rows 2 and 6 move to past+1 and past+2
    assertEquals(past + 3, target.cacheLength());
    assertEquals(2, target.stats().rowsCopied() - copiedBefore);
    float[][] afterCommit = rows(target.forward(TokenTree.chainOf(next)), next.length, true);

    target.truncate(past);
    int[] asChain = {7, 99, 301, 410, 5, 88};
    float[][] reference = rows(target.forward(TokenTree.chainOf(asChain)), asChain.length, true);
    for (int i = 0; i < next.length; i++) {
      assertTrue(
          Fixtures.maxAbsDiff(afterCommit[i], reference[3 + i]) <= PASS_SHAPE_TOLERANCE,
          "row " + i + ": " + Fixtures.maxAbsDiff(afterCommit[i], reference[3 + i]));
    }
  }

  @Test
  void chainPrefixCommitsInPlaceWithoutCopying() {
    long copiedBefore = target.stats().rowsCopied();
    target.forward(TokenTree.chainOf(PROMPT));
    target.commit(new int[] {0, 1, 2, 3});
    assertEquals(4, target.cacheLength());
    assertEquals(copiedBefore, target.stats().rowsCopied());
  }

  @Test
  void truncateThenRerunGivesBitIdenticalLogits() {
    prefill(PROMPT);
    int[] more = {410, 5, 88, 17};
    float[][] first = rows(target.forward(TokenTree.chainOf(more)), more.length, true);
    target.commitPrefix(more.length);
    target.forward(TokenTree.chain(3, 4, 5)); // overwritten rows, rolled back below
    target.commitPrefix(3);

    target.truncate(PROMPT.length);
    float[][] again = rows(target.forward(TokenTree.chainOf(more)), more.length, true);
    for (int i = 0; i < more.length; i++) {
      assertArrayEquals(first[i], again[i], 0f, "row " + i);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"target", "draft"})
  void greedyDecodingMatchesTheTorchReference(String role) throws Exception {
    JsonObject reference = Fixtures.json(Fixtures.testTiny().resolve("reference.json"));
    int[] prompt = Fixtures.ints(reference.getAsJsonArray("prompt_ids"));
    JsonObject expected = reference.getAsJsonObject(role);
    int[] continuation = Fixtures.ints(expected.getAsJsonArray("greedy_continuation"));
    try (CausalLm lm =
        engine.loadCausalLm(Fixtures.testTiny().resolve(role + ".onnx"), Device.cpu())) {
      // prefill all but the last prompt token; the last is the first pending root
      lm.forward(TokenTree.chainOf(Arrays.copyOf(prompt, prompt.length - 1)));
      lm.commitPrefix(prompt.length - 1);
      int pending = prompt[prompt.length - 1];
      float[] logits = new float[lm.info().vocabSize()];
      float[] hidden = new float[lm.info().hiddenSize()];
      int[] generated = new int[continuation.length];
      for (int step = 0; step < continuation.length; step++) {
        ForwardOutput out = lm.forward(TokenTree.rootOnly(pending));
        out.copyLogits(0, logits);
        if (step == 0) {
          out.copyHiddenState(0, hidden);
          assertClose(expected.getAsJsonArray("last_prompt_logits_first16"), logits);
          assertClose(expected.getAsJsonArray("last_prompt_hidden_first8"), hidden);
        }
        lm.commitPrefix(1);
        pending = Fixtures.argmax(logits);
        generated[step] = pending;
      }
      assertArrayEquals(continuation, generated);
    }
  }

  @Test
  void rejectsATreeBeyondTheCacheCapacity() {
    prefill(new int[250]);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> target.forward(TokenTree.chainOf(new int[] {1, 2, 3, 4, 5, 6, 7})));
    assertTrue(e.getMessage().contains("cacheLength (250) + T (7)"), e.getMessage());
    assertTrue(e.getMessage().contains("capacity (256)"), e.getMessage());
    target.forward(TokenTree.chainOf(new int[] {1, 2, 3, 4, 5, 6})); // exactly full is fine
  }

  @Test
  void rejectsATokenOutsideTheVocabulary() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> target.forward(TokenTree.chain(5, 512)));
    assertTrue(e.getMessage().contains("token 512 of node 1"), e.getMessage());
    assertTrue(e.getMessage().contains("[0, 512)"), e.getMessage());
  }

  @Test
  void rejectsCommitsThatAreNotRootToNodePaths() {
    TokenTree tree = TokenTree.of(new int[] {7, 52, 99, 136}, new int[] {-1, 0, 0, 1});
    assertThrows(IllegalStateException.class, () -> target.commit(new int[] {0}));
    target.forward(tree);
    assertThrows(IllegalArgumentException.class, () -> target.commit(new int[] {1, 3}));
    assertThrows(IllegalArgumentException.class, () -> target.commit(new int[] {0, 2, 3}));
    assertThrows(IllegalArgumentException.class, () -> target.commitPrefix(3));
    target.commit(new int[] {0, 1, 3});
    assertEquals(3, target.cacheLength());
    assertThrows(IllegalStateException.class, () -> target.commitPrefix(1)); // already committed
    assertThrows(IllegalArgumentException.class, () -> target.truncate(4));
  }

  @Test
  void aForwardOutputIsOutdatedByTheNextCall() {
    ForwardOutput out = target.forward(TokenTree.rootOnly(5));
    float logit = out.logit(0, 10);
    assertTrue(Float.isFinite(logit));
    target.commitPrefix(1);
    assertThrows(IllegalStateException.class, () -> out.logit(0, 10));
  }

  @Test
  void nativeTensorsAreAllClosedAfterThousandsOfPasses() {
    BufferPoolMXBean direct =
        ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(pool -> pool.getName().equals("direct"))
            .findFirst()
            .orElseThrow();
    int liveBefore = target.liveTensors();
    long directBuffersBefore = direct.getCount();
    int token = 5;
    for (int pass = 0; pass < 3000; pass++) {
      if (target.cacheLength() >= 200) {
        target.truncate(pass % 7);
      }
      ForwardOutput out = target.forward(TokenTree.rootOnly(token));
      token = 3 + (int) (Math.abs(out.logit(0, 9)) * 1000) % 500;
      target.commitPrefix(1);
      assertEquals(liveBefore, target.liveTensors(), "after pass " + pass);
    }
    assertEquals(0, liveBefore);
    // At most as many: a garbage collection during the loop may free the buffers of models that
    // earlier tests closed (observed: 45 before, 13 after), but a pass must allocate none.
    assertTrue(
        direct.getCount() <= directBuffersBefore,
        "direct buffers allocated per pass: " + directBuffersBefore + " -> " + direct.getCount());
  }

  @Test
  void closeIsIdempotentAndLaterCallsFailClearly() throws Exception {
    CausalLm lm = engine.loadCausalLm(Fixtures.draft(), Device.cpu());
    lm.close();
    lm.close();
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> lm.forward(TokenTree.rootOnly(1)));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  private static void prefill(int[] tokens) {
    if (tokens.length > 0) {
      target.forward(TokenTree.chainOf(tokens));
      target.commitPrefix(tokens.length);
    }
  }

  private static float[][] rows(ForwardOutput out, int count, boolean logits) {
    float[][] rows = new float[count][logits ? out.vocabSize() : out.hiddenSize()];
    for (int i = 0; i < count; i++) {
      if (logits) {
        out.copyLogits(i, rows[i]);
      } else {
        out.copyHiddenState(i, rows[i]);
      }
    }
    return rows;
  }

  private static void assertClose(JsonArray expected, float[] actual) {
    for (int i = 0; i < expected.size(); i++) {
      float want = expected.get(i).getAsFloat();
      assertEquals(want, actual[i], REFERENCE_TOLERANCE, "index " + i);
    }
  }
}
