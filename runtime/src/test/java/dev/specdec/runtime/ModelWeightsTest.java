package dev.specdec.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.MedusaHeads;
import dev.specdec.model.MtpModule;
import dev.specdec.tree.TokenTree;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Instances of one loaded model share its session but not their state: each has its own cache, runs
 * on its own thread alongside the others with exactly the results of a model loaded alone, and the
 * session closes with the last reference.
 */
class ModelWeightsTest {
  private static final int[][] PROMPTS = {
    {1, 45, 97, 200, 13}, {1, 7, 52, 136}, {1, 300, 301, 302, 303, 304}, {1, 9}
  };
  private static final int NEW_TOKENS = 24;

  @Test
  void instancesKeepTheirOwnCachesOverOneSession() throws Exception {
    try (Engine engine = Engine.create();
        ModelWeights<CausalLm> weights =
            engine.loadCausalLmWeights(Fixtures.target(), Device.cpu());
        CausalLm a = weights.newInstance();
        CausalLm b = weights.newInstance();
        CausalLm alone = engine.loadCausalLm(Fixtures.target(), Device.cpu())) {
      // Interleaved: a's and b's prefixes differ, so a shared cache would show at once.
      int[] tokensA = greedyInterleaved(a, PROMPTS[0], b, PROMPTS[1]);
      assertArrayEquals(greedy(alone, PROMPTS[0]), tokensA);
      assertEquals(PROMPTS[0].length + NEW_TOKENS, a.cacheLength());
    }
  }

  @Test
  void concurrentInstancesGiveTheTokensOfSequentialRuns() throws Exception {
    try (Engine engine = Engine.create();
        ModelWeights<CausalLm> weights =
            engine.loadCausalLmWeights(Fixtures.target(), Device.cpu())) {
      List<int[]> sequential = new ArrayList<>();
      try (CausalLm lm = weights.newInstance()) {
        for (int[] prompt : PROMPTS) {
          sequential.add(greedy(lm, prompt));
        }
      }
      ExecutorService pool = Executors.newFixedThreadPool(PROMPTS.length);
      try {
        for (int round = 0; round < 3; round++) {
          List<Future<int[]>> futures = new ArrayList<>();
          for (int[] prompt : PROMPTS) {
            futures.add(
                pool.submit(
                    () -> {
                      try (CausalLm lm = weights.newInstance()) {
                        return greedy(lm, prompt);
                      }
                    }));
          }
          for (int i = 0; i < PROMPTS.length; i++) {
            assertArrayEquals(sequential.get(i), futures.get(i).get(), "prompt " + i);
          }
        }
      } finally {
        pool.shutdown();
      }
      assertEquals(1, weights.references(), "every instance released its reference");
    }
  }

  @Test
  void theSessionClosesWithTheLastReferenceInEitherOrder() throws Exception {
    try (Engine engine = Engine.create()) {
      ModelWeights<CausalLm> weights = engine.loadCausalLmWeights(Fixtures.draft(), Device.cpu());
      assertEquals(1, weights.references());
      CausalLm lm = weights.newInstance();
      assertEquals(2, weights.references());
      weights.close();
      weights.close();
      assertEquals(1, weights.references(), "closing the weights leaves the instance running");
      greedy(lm, PROMPTS[1]);
      IllegalStateException closed =
          assertThrows(IllegalStateException.class, weights::newInstance);
      assertTrue(closed.getMessage().contains("weights are closed"), closed.getMessage());
      lm.close();
      lm.close();
      assertEquals(0, weights.references());
    }
  }

  @Test
  void closingTheEngineClosesWeightsAndTheirInstances() throws Exception {
    Engine engine = Engine.create();
    ModelWeights<CausalLm> weights = engine.loadCausalLmWeights(Fixtures.draft(), Device.cpu());
    CausalLm lm = weights.newInstance();
    engine.close();
    assertEquals(0, weights.references());
    assertThrows(IllegalStateException.class, () -> lm.forward(TokenTree.rootOnly(1)));
  }

  @Test
  void loadCausalLmStillHandsTheSessionToItsOneModel() throws Exception {
    try (Engine engine = Engine.create()) {
      OnnxCausalLm lm = (OnnxCausalLm) engine.loadCausalLm(Fixtures.draft(), Device.cpu());
      greedy(lm, PROMPTS[0]);
      lm.close();
      assertThrows(IllegalStateException.class, () -> lm.forward(TokenTree.rootOnly(1)));
    }
  }

  @Test
  void medusaInstancesGiveTheLogitsOfHeadsLoadedAlone() throws Exception {
    var medusa = Fixtures.testTiny().resolve("medusa.onnx");
    try (Engine engine = Engine.create();
        ModelWeights<MedusaHeads> weights = engine.loadMedusaWeights(medusa, Device.cpu());
        MedusaHeads a = weights.newInstance();
        MedusaHeads b = weights.newInstance();
        MedusaHeads alone = engine.loadMedusaHeads(medusa, Device.cpu())) {
      float[] hidden = new float[a.hiddenSize()];
      for (int i = 0; i < hidden.length; i++) {
        hidden[i] = (float) Math.sin(i);
      }
      float[] other = new float[a.hiddenSize()];
      float[] fromA = new float[a.heads() * a.vocabSize()];
      float[] fromB = new float[fromA.length];
      float[] expected = new float[fromA.length];
      a.run(hidden, fromA);
      b.run(other, fromB); // b's own input buffer: a's result stays a's
      alone.run(hidden, expected);
      assertArrayEquals(expected, fromA);
    }
  }

  @Test
  void mtpInstancesKeepTheirOwnCaches() throws Exception {
    var mtpFile = Fixtures.testTiny().resolve("mtp.onnx");
    try (Engine engine = Engine.create();
        CausalLm target = engine.loadCausalLm(Fixtures.target(), Device.cpu());
        ModelWeights<MtpModule> weights =
            engine.loadMtpWeights(mtpFile, Device.cpu(), target.info());
        MtpModule a = weights.newInstance();
        MtpModule b = weights.newInstance()) {
      float[] hidden = new float[3 * target.info().hiddenSize()];
      for (int i = 0; i < hidden.length; i++) {
        hidden[i] = (float) Math.cos(i);
      }
      TokenTree tree = TokenTree.chainOf(new int[] {5, 6, 7});
      a.forward(tree, hidden);
      a.commitPrefix(3);
      assertEquals(3, a.cacheLength());
      assertEquals(0, b.cacheLength());
      b.forward(tree, hidden);
      b.commitPrefix(2);
      assertEquals(3, a.cacheLength());
      assertEquals(2, b.cacheLength());
    }
  }

  /** Greedy decoding of {@code NEW_TOKENS} tokens after {@code prompt} on {@code lm}'s cache. */
  private static int[] greedy(CausalLm lm, int[] prompt) {
    lm.truncate(0);
    int[] out = new int[NEW_TOKENS];
    int next = prefillAndPredict(lm, prompt);
    for (int i = 0; i < NEW_TOKENS; i++) {
      out[i] = next;
      next = step(lm, next);
    }
    return out;
  }

  /** Greedy decoding on {@code a} and {@code b} alternating token by token; returns a's tokens. */
  private static int[] greedyInterleaved(CausalLm a, int[] promptA, CausalLm b, int[] promptB) {
    a.truncate(0);
    b.truncate(0);
    int[] out = new int[NEW_TOKENS];
    int nextA = prefillAndPredict(a, promptA);
    int nextB = prefillAndPredict(b, promptB);
    for (int i = 0; i < NEW_TOKENS; i++) {
      out[i] = nextA;
      nextA = step(a, nextA);
      nextB = step(b, nextB);
    }
    return out;
  }

  private static int prefillAndPredict(CausalLm lm, int[] prompt) {
    ForwardOutput out = lm.forward(TokenTree.chainOf(prompt));
    int next = argmax(out, prompt.length - 1);
    lm.commitPrefix(prompt.length);
    return next;
  }

  private static int step(CausalLm lm, int token) {
    ForwardOutput out = lm.forward(TokenTree.rootOnly(token));
    int next = argmax(out, 0);
    lm.commitPrefix(1);
    return next;
  }

  private static int argmax(ForwardOutput out, int row) {
    float[] logits = new float[out.vocabSize()];
    out.copyLogits(row, logits);
    return Fixtures.argmax(logits);
  }
}
