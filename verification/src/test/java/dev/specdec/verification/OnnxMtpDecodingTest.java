package dev.specdec.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.Drafter;
import dev.specdec.drafting.MtpConfig;
import dev.specdec.drafting.MtpDrafter;
import dev.specdec.drafting.TokenContext;
import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.MtpModule;
import dev.specdec.runtime.Device;
import dev.specdec.runtime.Engine;
import dev.specdec.sampling.Distributions;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TokenTree;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MTP drafting on the committed test-tiny target and MTP module through ONNX Runtime. */
class OnnxMtpDecodingTest {
  private static final Path BUNDLE = TestSupport.root().resolve("models/test-tiny");
  private static Engine engine;
  private static CausalLm target;
  private static MtpModule reference; // a second instance, run from scratch

  @BeforeAll
  static void load() throws Exception {
    engine = Engine.create();
    target = engine.loadCausalLm(BUNDLE.resolve("target.onnx"), Device.cpu());
    reference = loadMtp();
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  private static MtpModule loadMtp() throws Exception {
    return engine.loadMtp(BUNDLE.resolve("mtp.onnx"), Device.cpu(), target.info());
  }

  private static SpeculativeDecoder decoder(Drafter drafter, SamplingConfig sampling, int k) {
    return SpeculativeDecoder.builder(target)
        .drafter(drafter)
        .sampling(sampling)
        .draftTokens(k)
        .build();
  }

  @Test
  void greedyMtpDecodingIsTokenIdenticalToPlainGreedyForChainsAndTrees() throws Exception {
    SamplingConfig greedy = SamplingConfig.greedy();
    MtpConfig[] configs = {
      MtpConfig.chain(1),
      MtpConfig.chain(2),
      MtpConfig.chain(4),
      new MtpConfig(3, 2, 6),
      new MtpConfig(3, 3, 8),
      new MtpConfig(4, 2, 10)
    };
    MtpDrafter[] drafters = new MtpDrafter[configs.length];
    for (int c = 0; c < configs.length; c++) {
      // One drafter per config for all prompts: generate() resets it for each sequence.
      drafters[c] = MtpDrafter.of(loadMtp(), greedy, configs[c], new SplittableRandom(0));
    }
    SplittableRandom random = new SplittableRandom(21);
    long[] accepted = new long[configs.length];
    try {
      for (int p = 0; p < 8; p++) {
        int[] prompt = TestSupport.randomPrompt(random, 1 + random.nextInt(40));
        int[] plain =
            decoder(Drafter.none(), greedy, 0).generate(prompt, request(48), t -> {}).tokens();
        for (int c = 0; c < configs.length; c++) {
          DecodeResult result =
              decoder(drafters[c], greedy, configs[c].maxDrafts())
                  .generate(prompt, request(48), t -> {});
          assertArrayEquals(plain, result.tokens(), "prompt " + p + ", " + configs[c]);
          accepted[c] += result.stats().acceptedTokens();
        }
      }
    } finally {
      for (MtpDrafter drafter : drafters) {
        drafter.close();
      }
    }
    for (int c = 0; c < configs.length; c++) {
      assertTrue(accepted[c] > 20, configs[c] + " accepted only " + accepted[c] + " drafts");
    }
  }

  private static GenerationRequest request(int maxNewTokens) {
    return GenerationRequest.of(maxNewTokens, 0);
  }

  /** The target's hidden states of every position of {@code tokens} from one chain pass. */
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

  /**
   * The reference module's last-row logits over the pairs (hidden[j], seq[j + 1]), from scratch.
   */
  private static float[] fromScratch(int[] seq, float[] hidden) {
    reference.truncate(0);
    int n = seq.length - 1;
    ForwardOutput out =
        reference.forward(TokenTree.chainOf(Arrays.copyOfRange(seq, 1, n + 1)), hidden);
    float[] logits = new float[reference.info().vocabSize()];
    out.copyLogits(n - 1, logits);
    reference.truncate(0);
    return logits;
  }

  @Test
  void moduleCacheAfterDecodingEqualsTheModuleRunFromScratchOverTheAcceptedSequence()
      throws Exception {
    SamplingConfig[] samplings = {SamplingConfig.greedy(), new SamplingConfig(1.0, 0, 1.0)};
    MtpConfig[] configs = {MtpConfig.chain(3), new MtpConfig(3, 2, 6)};
    int h = target.info().hiddenSize();
    int[] prompt = TestSupport.randomPrompt(new SplittableRandom(5), 12);
    float worstMatch = 0;
    float bestMismatch = Float.MAX_VALUE;
    for (SamplingConfig sampling : samplings) {
      for (MtpConfig config : configs) {
        for (int maxNew : new int[] {7, 23, 41}) {
          MtpModule module = loadMtp();
          try (MtpDrafter drafter =
              MtpDrafter.of(module, sampling, config, new SplittableRandom(maxNew))) {
            DecodeResult result =
                decoder(drafter, sampling, config.maxDrafts())
                    .generate(prompt, GenerationRequest.of(maxNew, maxNew), t -> {});
            assertEquals(StopReason.MAX_NEW_TOKENS, result.stopReason());
            int[] seq = Arrays.copyOf(prompt, prompt.length + result.tokens().length);
            System.arraycopy(result.tokens(), 0, seq, prompt.length, result.tokens().length);
            int n = seq.length;
            // One more proposal caches every pair the drafter holds: slots 0..n-3.
            drafter.propose(TokenContext.of(seq), config.maxDrafts());
            assertEquals(n - 2, module.cacheLength());
            float[] hidden = targetHidden(seq);
            // Probe the drafter's cache with the root's pair (h_{n-2}, x_{n-1}).
            float[] probe = new float[module.info().vocabSize()];
            module
                .forward(
                    TokenTree.rootOnly(seq[n - 1]),
                    Arrays.copyOfRange(hidden, (n - 2) * h, (n - 1) * h))
                .copyLogits(0, probe);
            module.truncate(module.cacheLength());
            float[] want = fromScratch(Arrays.copyOf(seq, n), Arrays.copyOf(hidden, (n - 1) * h));
            float diff = maxAbsDiff(want, probe);
            assertTrue(diff < 1e-3f, sampling + ", " + config + ", " + maxNew + ": " + diff);
            worstMatch = Math.max(worstMatch, diff);
            // The comparison has teeth: the hidden states of the next position instead.
            float[] shifted = Arrays.copyOfRange(hidden, h, n * h);
            bestMismatch = Math.min(bestMismatch, maxAbsDiff(fromScratch(seq, shifted), probe));
          }
        }
      }
    }
    assertTrue(
        bestMismatch > 100 * worstMatch,
        "shifted hidden states differ by " + bestMismatch + ", matches by " + worstMatch);
  }

  private static float maxAbsDiff(float[] a, float[] b) {
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  @Test
  void sampledTokensFollowTheTargetDistributionWithMtpDrafts() throws Exception {
    SamplingConfig sampling = new SamplingConfig(1.0, 20, 1.0);
    int[] prompt = {1, 45, 97, 200, 13, 7};
    int v = target.info().vocabSize();
    // Exact marginals of the first two new tokens: p1, and p2 = sum_a p1(a) p(. | prompt, a).
    float[] logits = new float[v];
    float[] p1 = new float[v];
    target.truncate(0);
    target.forward(TokenTree.chainOf(prompt)).copyLogits(prompt.length - 1, logits);
    Distributions.toProbabilities(logits, sampling, p1);
    double[] first = new double[v];
    double[] second = new double[v];
    float[] p2 = new float[v];
    int[] extended = Arrays.copyOf(prompt, prompt.length + 1);
    for (int a = 0; a < v; a++) {
      first[a] = p1[a];
      if (p1[a] > 0) {
        extended[prompt.length] = a;
        target.truncate(0);
        target.forward(TokenTree.chainOf(extended)).copyLogits(prompt.length, logits);
        Distributions.toProbabilities(logits, sampling, p2);
        for (int c = 0; c < v; c++) {
          second[c] += p1[a] * (double) p2[c];
        }
      }
    }
    target.truncate(0);

    int samples = 4_000;
    long[] observedFirst = new long[v];
    long[] observedSecond = new long[v];
    long accepted = 0;
    try (MtpDrafter drafter =
        MtpDrafter.of(loadMtp(), sampling, MtpConfig.chain(2), new SplittableRandom(99))) {
      SpeculativeDecoder decoder =
          SpeculativeDecoder.builder(target)
              .drafter(drafter)
              .sampling(sampling)
              .rule(AcceptanceRule.rejectionSampling())
              .draftTokens(2)
              .build();
      for (int s = 0; s < samples; s++) {
        DecodeResult result = decoder.generate(prompt, GenerationRequest.of(2, s), t -> {});
        observedFirst[result.tokens()[0]]++;
        observedSecond[result.tokens()[1]]++;
        accepted += result.stats().acceptedTokens();
      }
    }
    assertTrue(accepted > samples / 10, "drafts accepted: " + accepted);
    double pFirst = TestSupport.chiSquarePValue(first, observedFirst);
    double pSecond = TestSupport.chiSquarePValue(second, observedSecond);
    assertTrue(pFirst > 0.001 && pSecond > 0.001, "p-values " + pFirst + ", " + pSecond);
  }
}
