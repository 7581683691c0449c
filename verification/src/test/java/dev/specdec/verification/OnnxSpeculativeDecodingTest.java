package dev.specdec.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.Drafter;
import dev.specdec.drafting.LookupConfig;
import dev.specdec.drafting.LookupFirstDrafter;
import dev.specdec.drafting.PromptLookupDrafter;
import dev.specdec.model.CausalLm;
import dev.specdec.runtime.Device;
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
 * Speculative decoding on the committed ONNX test models (models/test-tiny) through ONNX Runtime:
 * the real KV cache, commits and rollbacks, not fakes.
 */
class OnnxSpeculativeDecodingTest {
  private static final Path BUNDLE = TestSupport.root().resolve("models/test-tiny");
  private static Engine engine;
  private static CausalLm target;

  @BeforeAll
  static void load() throws Exception {
    engine = Engine.create();
    target = engine.loadCausalLm(BUNDLE.resolve("target.onnx"), Device.cpu());
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  private static int[] decode(
      Drafter drafter, int k, SamplingConfig sampling, int[] prompt, int n) {
    SpeculativeDecoder decoder =
        SpeculativeDecoder.builder(target)
            .drafter(drafter)
            .sampling(sampling)
            .draftTokens(k)
            .build();
    return decoder.generate(prompt, GenerationRequest.of(n, 0), t -> {}).tokens();
  }

  private static Drafter draftModel(SamplingConfig sampling, int k, long seed) throws Exception {
    CausalLm draft = engine.loadCausalLm(BUNDLE.resolve("draft.onnx"), Device.cpu());
    return Drafter.draftModel(draft, sampling, k, new SplittableRandom(seed));
  }

  @Test
  void greedyDraftModelOutputIsTokenIdenticalToPlainGreedyForEveryK() throws Exception {
    SplittableRandom random = new SplittableRandom(11);
    SamplingConfig greedy = SamplingConfig.greedy();
    for (int p = 0; p < 12; p++) {
      int[] prompt = TestSupport.randomPrompt(random, 1 + random.nextInt(40));
      int[] plain = decode(Drafter.none(), 0, greedy, prompt, 48);
      for (int k = 1; k <= 8; k++) {
        try (Drafter drafter = draftModel(greedy, k, 0)) {
          assertArrayEquals(
              plain, decode(drafter, k, greedy, prompt, 48), "prompt " + p + ", k = " + k);
        }
      }
    }
  }

  @Test
  void greedyLookupOutputAloneAndComposedIsTokenIdenticalToPlainGreedy() throws Exception {
    SplittableRandom random = new SplittableRandom(12);
    SamplingConfig greedy = SamplingConfig.greedy();
    for (int p = 0; p < 8; p++) {
      // A prompt that repeats itself, so lookup finds matches.
      int[] half = TestSupport.randomPrompt(random, 20);
      int[] prompt = new int[40];
      System.arraycopy(half, 0, prompt, 0, 20);
      System.arraycopy(half, 1, prompt, 20, 19);
      prompt[39] = half[1];
      int[] plain = decode(Drafter.none(), 0, greedy, prompt, 64);
      for (int branches = 1; branches <= 3; branches++) {
        LookupConfig config = new LookupConfig(3, 1, 6, branches, 64);
        assertArrayEquals(
            plain,
            decode(PromptLookupDrafter.create(config), 6, greedy, prompt, 64),
            "lookup, prompt " + p + ", branches " + branches);
      }
      try (Drafter composed =
          LookupFirstDrafter.of(LookupConfig.defaults(), draftModel(greedy, 4, 0), 2)) {
        assertArrayEquals(
            plain, decode(composed, 4, greedy, prompt, 64), "lookup+draft, prompt " + p);
      }
    }
  }

  @Test
  void firstSampledTokenFollowsTheTargetDistributionWithSpeculation() throws Exception {
    SamplingConfig sampling = new SamplingConfig(1.0, 0, 1.0);
    int[] prompt = {1, 45, 97, 200, 13, 7};
    // The exact target distribution of the first new token.
    target.truncate(0);
    float[] logits = new float[target.info().vocabSize()];
    target.forward(TokenTree.chainOf(prompt)).copyLogits(prompt.length - 1, logits);
    target.truncate(0);
    float[] probs = new float[logits.length];
    Distributions.toProbabilities(logits, sampling, probs);
    double[] expected = new double[probs.length];
    for (int i = 0; i < probs.length; i++) {
      expected[i] = probs[i];
    }

    int samples = 20_000;
    long[] observed = new long[probs.length];
    try (Drafter drafter = draftModel(sampling, 3, 99)) {
      SpeculativeDecoder decoder =
          SpeculativeDecoder.builder(target)
              .drafter(drafter)
              .sampling(sampling)
              .rule(AcceptanceRule.rejectionSampling())
              .draftTokens(3)
              .build();
      for (int s = 0; s < samples; s++) {
        int[] tokens = decoder.generate(prompt, GenerationRequest.of(1, s), t -> {}).tokens();
        assertEquals(1, tokens.length);
        observed[tokens[0]]++;
      }
    }
    double pValue = TestSupport.chiSquarePValue(expected, observed);
    assertTrue(pValue > 0.001, "chi-square p-value " + pValue);
  }
}
