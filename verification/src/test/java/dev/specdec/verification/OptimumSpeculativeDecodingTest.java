package dev.specdec.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.Drafter;
import dev.specdec.drafting.LookupConfig;
import dev.specdec.drafting.PromptLookupDrafter;
import dev.specdec.model.CausalLm;
import dev.specdec.runtime.Engine;
import dev.specdec.sampling.Distributions;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TokenTree;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Speculative decoding with a target and a draft in Hugging Face Optimum's layout
 * (testdata/optimum-tiny): 2-D masks, head-major caches, chains only. Greedy output must equal
 * plain greedy decoding, and rejection sampling must keep the target's distribution.
 */
class OptimumSpeculativeDecodingTest {
  private static final Path DIR = TestSupport.root().resolve("testdata/optimum-tiny");
  private static final int SAMPLES = 100_000;
  private static final SamplingConfig SAMPLING = new SamplingConfig(1.0, 0, 1.0);
  private static final int[] PROMPT = {1, 40, 41, 42, 43, 44};

  /** BOS alone: no prefill pass, so 100k samples stay cheap (about 2-3 tiny passes each). */
  private static final int[] BOS = {1};

  private static Engine engine;
  private static CausalLm target;

  @BeforeAll
  static void load() throws Exception {
    engine = Engine.create();
    target = engine.loadCausalLm(DIR.resolve("target"));
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  private static Drafter draftModel(SamplingConfig sampling, int k, long seed) throws Exception {
    return Drafter.draftModel(
        engine.loadCausalLm(DIR.resolve("draft")), sampling, k, new SplittableRandom(seed));
  }

  private static DecodeResult decode(Drafter drafter, int k, int[] prompt, int n) {
    return SpeculativeDecoder.builder(target)
        .drafter(drafter)
        .draftTokens(k)
        .build()
        .generate(prompt, GenerationRequest.of(n, 0), t -> {});
  }

  @Test
  void greedyDraftModelOutputIsTokenIdenticalToPlainGreedy() throws Exception {
    assertFalse(target.supportsTreeMasks());
    SplittableRandom random = new SplittableRandom(21);
    long accepted = 0;
    for (int p = 0; p < 6; p++) {
      int[] prompt = TestSupport.randomPrompt(random, 1 + random.nextInt(30));
      int[] plain = decode(Drafter.none(), 0, prompt, 40).tokens();
      for (int k = 1; k <= 6; k++) {
        try (Drafter drafter = draftModel(SamplingConfig.greedy(), k, 0)) {
          DecodeResult result = decode(drafter, k, prompt, 40);
          assertArrayEquals(plain, result.tokens(), "prompt " + p + ", k = " + k);
          accepted += result.stats().acceptedTokens();
        }
      }
    }
    assertTrue(accepted > 0, "the draft never agreed: the test would not exercise acceptance");
  }

  /** Prompt lookup proposes tries; a chain-only target verifies their first path, exactly. */
  @Test
  void greedyLookupTreesAreReducedToAPathAndStayTokenIdentical() {
    SplittableRandom random = new SplittableRandom(22);
    for (int p = 0; p < 4; p++) {
      int[] half = TestSupport.randomPrompt(random, 20);
      int[] prompt = new int[40];
      System.arraycopy(half, 0, prompt, 0, 20);
      System.arraycopy(half, 1, prompt, 20, 19);
      prompt[39] = half[1];
      int[] plain = decode(Drafter.none(), 0, prompt, 48).tokens();
      for (int branches = 1; branches <= 3; branches++) {
        DecodeResult result =
            decode(
                PromptLookupDrafter.create(new LookupConfig(3, 1, 6, branches, 64)), 6, prompt, 48);
        assertArrayEquals(plain, result.tokens(), "prompt " + p + ", branches " + branches);
      }
    }
  }

  @Test
  void plainGreedyMatchesTheNaiveReference() throws Exception {
    com.google.gson.JsonObject ref =
        com.google.gson.JsonParser.parseString(
                java.nio.file.Files.readString(DIR.resolve("reference.json")))
            .getAsJsonObject();
    com.google.gson.JsonArray greedy = ref.getAsJsonArray("greedy");
    int[] want = new int[greedy.size()];
    for (int i = 0; i < want.length; i++) {
      want[i] = greedy.get(i).getAsInt();
    }
    try (Drafter drafter = draftModel(SamplingConfig.greedy(), 4, 0)) {
      assertArrayEquals(want, decode(drafter, 4, PROMPT, want.length).tokens());
    }
  }

  /**
   * The first two sampled tokens with one draft per step (rejection sampling, a partial commit on
   * every rejection) follow the target's exact marginals; the draft's own samples, a deliberately
   * biased source, are rejected by the same test.
   */
  @Test
  void rejectionSamplingKeepsTheTargetsDistribution() throws Exception {
    int v = target.info().vocabSize();
    double[] first = targetNext(BOS);
    double[] second = new double[v];
    for (int x = 0; x < v; x++) {
      if (first[x] > 1e-7) {
        int[] extended = java.util.Arrays.copyOf(BOS, BOS.length + 1);
        extended[BOS.length] = x;
        double[] next = targetNext(extended);
        for (int y = 0; y < v; y++) {
          second[y] += first[x] * next[y];
        }
      }
    }
    long[] observedFirst = new long[v];
    long[] observedSecond = new long[v];
    long drafted = 0;
    long accepted = 0;
    try (Drafter drafter = draftModel(SAMPLING, 1, 99)) {
      SpeculativeDecoder decoder =
          SpeculativeDecoder.builder(target)
              .drafter(drafter)
              .sampling(SAMPLING)
              .rule(AcceptanceRule.rejectionSampling())
              .draftTokens(1)
              .build();
      for (int s = 0; s < SAMPLES; s++) {
        DecodeResult r = decoder.generate(BOS, GenerationRequest.of(2, s), t -> {});
        observedFirst[r.tokens()[0]]++;
        observedSecond[r.tokens()[1]]++;
        drafted += r.stats().draftedTokens();
        accepted += r.stats().acceptedTokens();
      }
    }
    assertEquals(SAMPLES, drafted, "every first step drafts one token");
    assertTrue(accepted > SAMPLES / 10 && accepted < SAMPLES, "accepted " + accepted);
    double p1 = TestSupport.chiSquarePValue(renormalized(first), observedFirst);
    double p2 = TestSupport.chiSquarePValue(renormalized(second), observedSecond);
    assertTrue(p1 > 0.001, "first token: chi-square p-value " + p1);
    assertTrue(p2 > 0.001, "second token: chi-square p-value " + p2);

    // Biased: the draft model's own first tokens (no correction) against the target's marginal.
    long[] biased = new long[v];
    try (CausalLm draft = engine.loadCausalLm(DIR.resolve("draft"))) {
      SpeculativeDecoder plainDraft = SpeculativeDecoder.builder(draft).sampling(SAMPLING).build();
      for (int s = 0; s < SAMPLES / 5; s++) {
        biased[plainDraft.generate(BOS, GenerationRequest.of(1, s), t -> {}).tokens()[0]]++;
      }
    }
    double pBiased = TestSupport.chiSquarePValue(renormalized(first), biased);
    assertTrue(pBiased < 1e-6, "the draft's distribution passed as the target's: p " + pBiased);
  }

  private static double[] targetNext(int[] context) {
    int v = target.info().vocabSize();
    float[] logits = new float[v];
    target.truncate(0);
    target.forward(TokenTree.chainOf(context)).copyLogits(context.length - 1, logits);
    target.truncate(0);
    float[] probs = new float[v];
    Distributions.toProbabilities(logits, SAMPLING, probs);
    double[] out = new double[v];
    for (int i = 0; i < v; i++) {
      out[i] = probs[i];
    }
    return out;
  }

  /** Tiny probabilities dropped above: cells a sample could land in keep a non-zero mass. */
  private static double[] renormalized(double[] p) {
    double[] out = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      out[i] = Math.max(p[i], 1e-12);
    }
    return out;
  }
}
