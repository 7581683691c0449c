package dev.specdec.verification;

import static dev.specdec.verification.TestSupport.chiSquarePValue;
import static dev.specdec.verification.TestSupport.referenceWarp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.Drafter;
import dev.specdec.drafting.MtpConfig;
import dev.specdec.drafting.MtpDrafter;
import dev.specdec.drafting.Proposal;
import dev.specdec.drafting.TokenContext;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.testing.FakeLm;
import dev.specdec.model.testing.FakeMtp;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TokenTree;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The MTP drafter on plain-Java fakes: its cache invariant, exactness and tree shapes. */
class MtpDrafterTest {
  private static final int BOS = 1;

  /**
   * Wraps the drafter under test and checks, after every proposal on a context of n tokens, that
   * the module's committed slots are exactly 0..n-3 and that slot j holds the pair (the target's
   * hidden state after context[0..j], context[j+1]), recomputed here from scratch.
   */
  private static final class Checking implements Drafter {
    final MtpDrafter inner;
    final FakeMtp module;
    final FakeLm target;
    int proposals;
    int fullAccepts;
    int rejections;
    int drafts;

    Checking(MtpDrafter inner, FakeMtp module, FakeLm target) {
      this.inner = inner;
      this.module = module;
      this.target = target;
    }

    @Override
    public Proposal propose(TokenContext ctx, int maxDrafts) {
      Proposal p = inner.propose(ctx, maxDrafts);
      drafts = p.tree().draftCount();
      if (drafts == 0) {
        return p;
      }
      proposals++;
      int n = ctx.length();
      int[] context = new int[n];
      for (int i = 0; i < n; i++) {
        context[i] = ctx.token(i);
      }
      assertEquals(n - 2, module.cacheLength(), "slots after a proposal on " + n + " tokens");
      assertArrayEquals(Arrays.copyOfRange(context, 1, n - 1), module.cachedTokens());
      float[] expectedHidden = new float[n - 2];
      for (int j = 0; j < n - 2; j++) {
        expectedHidden[j] = target.hiddenAfter(Arrays.copyOf(context, j + 1));
      }
      assertArrayEquals(expectedHidden, module.cachedHidden(), "target hidden states per slot");
      return p;
    }

    @Override
    public void targetCommitting(int firstPosition, int[] nodes, ForwardOutput pass) {
      inner.targetCommitting(firstPosition, nodes, pass);
    }

    @Override
    public void accepted(int[] path) {
      inner.accepted(path);
      if (drafts > 0 && path.length - 1 == drafts) {
        fullAccepts++;
      } else if (drafts > 0 && path.length < 2) {
        rejections++;
      }
    }

    @Override
    public void reset() {
      inner.reset();
    }

    @Override
    public String name() {
      return "checking";
    }
  }

  private static SpeculativeDecoder decoder(
      FakeLm target, Drafter drafter, SamplingConfig sampling, int k) {
    return SpeculativeDecoder.builder(target)
        .drafter(drafter)
        .sampling(sampling)
        .draftTokens(k)
        .build();
  }

  @Test
  void moduleCacheHoldsTheTargetsHiddenStateOfEveryAcceptedPosition() {
    for (SamplingConfig sampling :
        new SamplingConfig[] {SamplingConfig.greedy(), new SamplingConfig(0.9, 10, 0.9)}) {
      for (MtpConfig config :
          new MtpConfig[] {MtpConfig.chain(3), new MtpConfig(3, 2, 6), new MtpConfig(4, 3, 8)}) {
        FakeLm target = FakeLm.target(24, 128, 21, 1.5);
        FakeMtp module = new FakeMtp(target, 128, 22, BOS, 0.3);
        Checking drafter =
            new Checking(
                MtpDrafter.of(module, sampling, config, new SplittableRandom(3)), module, target);
        SpeculativeDecoder decoder = decoder(target, drafter, sampling, config.maxDrafts());
        for (int seed = 0; seed < 8; seed++) {
          int[] prompt = seed % 4 == 0 ? new int[] {BOS} : new int[] {BOS, 2 + seed, 3, seed};
          decoder.generate(prompt, GenerationRequest.of(60, seed), t -> {});
        }
        String what = sampling + ", " + config;
        assertTrue(drafter.proposals > 100, what);
        assertTrue(drafter.fullAccepts > 0 && drafter.rejections > 0, what);
      }
    }
  }

  @Test
  void greedyMtpDecodingIsTokenIdenticalToPlainGreedyForChainsAndTrees() {
    SamplingConfig greedy = SamplingConfig.greedy();
    for (MtpConfig config :
        new MtpConfig[] {
          MtpConfig.chain(1), MtpConfig.chain(4), new MtpConfig(3, 2, 6), new MtpConfig(5, 4, 12)
        }) {
      FakeLm target = FakeLm.target(24, 160, 31, 1.5);
      MtpDrafter drafter =
          MtpDrafter.of(
              new FakeMtp(target, 160, 32, BOS, 0.3), greedy, config, new SplittableRandom(0));
      SpeculativeDecoder decoder = decoder(target, drafter, greedy, config.maxDrafts());
      long accepted = 0;
      for (int seed = 0; seed < 10; seed++) {
        int[] prompt = {BOS, 3 + seed, 7, 5};
        GenerationRequest request = GenerationRequest.of(100, seed);
        DecodeResult result = decoder.generate(prompt, request, t -> {});
        assertArrayEquals(
            TestSupport.plain(target, prompt, request).tokens(),
            result.tokens(),
            config + ", seed " + seed);
        accepted += result.stats().acceptedTokens();
      }
      assertTrue(accepted > 50, config + ": accepted " + accepted);
    }
  }

  private static final int V = 8;
  private static final int N = 100_000;
  private static final SamplingConfig SAMPLING = new SamplingConfig(0.9, 6, 0.95);
  private static final int[] PROMPT = {BOS, 5, 2};

  /** The target's warped joint law of the first three new tokens. */
  private static double[] expectedJoint(FakeLm target) {
    double[] joint = new double[V * V * V];
    double[] p0 = referenceWarp(target.logitsAfter(PROMPT), 0.9, 6, 0.95);
    for (int a = 0; a < V; a++) {
      double[] p1 = referenceWarp(target.logitsAfter(new int[] {BOS, 5, 2, a}), 0.9, 6, 0.95);
      for (int b = 0; b < V; b++) {
        double[] p2 = referenceWarp(target.logitsAfter(new int[] {BOS, 5, 2, a, b}), 0.9, 6, 0.95);
        for (int c = 0; c < V; c++) {
          joint[(a * V + b) * V + c] = p0[a] * p1[b] * p2[c];
        }
      }
    }
    return joint;
  }

  private static long[] firstThree(SpeculativeDecoder decoder) {
    long[] counts = new long[V * V * V];
    for (int seed = 0; seed < N; seed++) {
      int[] t = decoder.generate(PROMPT, GenerationRequest.of(3, seed), x -> {}).tokens();
      counts[(t[0] * V + t[1]) * V + t[2]]++;
    }
    return counts;
  }

  /** Reports a q other than the one the drafts were sampled from: a planted bias. */
  private static final class WrongQ implements Drafter {
    final MtpDrafter inner;
    final float[] uniform = new float[V];

    WrongQ(MtpDrafter inner) {
      this.inner = inner;
      Arrays.fill(uniform, 1f / V);
    }

    @Override
    public Proposal propose(TokenContext context, int maxDrafts) {
      Proposal p = inner.propose(context, maxDrafts);
      return new Proposal(p.tree(), node -> p.draftDistribution(node) == null ? null : uniform);
    }

    @Override
    public void targetCommitting(int firstPosition, int[] nodes, ForwardOutput pass) {
      inner.targetCommitting(firstPosition, nodes, pass);
    }

    @Override
    public void accepted(int[] path) {
      inner.accepted(path);
    }

    @Override
    public void reset() {
      inner.reset();
    }

    @Override
    public String name() {
      return "wrong-q";
    }
  }

  private static MtpDrafter sampledTreeDrafter(FakeLm target) {
    // Depth 3, two sampled children per node, 6 drafts: every first-three-token path goes through
    // sibling rejection as well as chain acceptance.
    return MtpDrafter.of(
        new FakeMtp(target, 64, 52, BOS, 0.4),
        SAMPLING,
        new MtpConfig(3, 2, 6),
        new SplittableRandom(53));
  }

  @Test
  void rejectionSamplingWithMtpTreeDraftsPreservesTheTargetsJointDistribution() {
    FakeLm target = FakeLm.target(V, 64, 51, 1.0);
    MtpDrafter drafter = sampledTreeDrafter(target);
    SpeculativeDecoder decoder = decoder(target, drafter, SAMPLING, 6);
    long[] observed = firstThree(decoder);
    double pValue = chiSquarePValue(expectedJoint(target), observed);
    assertTrue(pValue > 0.001, "p-value " + pValue);
  }

  @Test
  void aWronglyRecordedDraftDistributionFailsTheSameTest() {
    FakeLm target = FakeLm.target(V, 64, 51, 1.0);
    SpeculativeDecoder decoder =
        decoder(target, new WrongQ(sampledTreeDrafter(target)), SAMPLING, 6);
    double pValue = chiSquarePValue(expectedJoint(target), firstThree(decoder));
    assertTrue(pValue < 1e-6, "the biased drafter was not caught: p-value " + pValue);
  }

  @Test
  void treeSpendsTheDraftBudgetLevelByLevelUpToTheDepth() {
    FakeLm target = FakeLm.target(24, 64, 61, 1.5);
    MtpDrafter drafter =
        MtpDrafter.of(
            new FakeMtp(24, 64, 62, 1.5),
            SamplingConfig.greedy(),
            new MtpConfig(3, 2, 5),
            new SplittableRandom(0));
    int[] prompt = {BOS, 4, 9, 6};
    primeWithTarget(drafter, target, prompt);
    TokenTree tree = drafter.propose(TokenContext.of(prompt), 64).tree();
    // level 1: two children of the root; level 2: the best of them gets two, the other one
    assertEquals(5, tree.draftCount());
    assertEquals(2, tree.children(0).length);
    assertEquals(2, tree.maxDepth());
    for (int node = 0; node < tree.size(); node++) {
      int[] children = tree.children(node);
      if (children.length == 2) {
        assertTrue(tree.token(children[0]) != tree.token(children[1]), "greedy siblings differ");
      }
    }
    drafter.accepted(new int[] {0});
    // The decode loop's limit wins over k.
    drafter.reset();
    primeWithTarget(drafter, target, prompt);
    TokenTree capped = drafter.propose(TokenContext.of(prompt), 1).tree();
    assertEquals(1, capped.draftCount());
    assertEquals(tree.token(tree.children(0)[0]), capped.token(1), "the best first draft");
  }

  @Test
  void refusesToDraftWithoutTheTargetsHiddenStates() {
    MtpDrafter drafter =
        MtpDrafter.of(
            new FakeMtp(24, 64, 62, 1.5),
            SamplingConfig.greedy(),
            MtpConfig.chain(2),
            new SplittableRandom(0));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> drafter.propose(TokenContext.of(BOS, 4, 9), 2));
    assertEquals(
        "MTP drafter: a context of 3 tokens needs the target's hidden states of positions 0..1,"
            + " but it holds positions 0..-1: the decode loop must pass every target commit to"
            + " targetCommitting() (SpeculativeDecoder does)",
        e.getMessage());
  }

  @Test
  void closingTheDrafterClosesItsModule() {
    FakeMtp module = new FakeMtp(24, 16, 1, 1.0);
    MtpDrafter.of(module, SamplingConfig.greedy(), MtpConfig.chain(2), new SplittableRandom(0))
        .close();
    assertTrue(module.isClosed());
  }

  /** What the decode loop's prefill does: the target's pass over all but the last prompt token. */
  private static void primeWithTarget(MtpDrafter drafter, FakeLm target, int[] prompt) {
    target.truncate(0);
    ForwardOutput out = target.forward(TokenTree.chainOf(Arrays.copyOf(prompt, prompt.length - 1)));
    int[] nodes = new int[prompt.length - 1];
    for (int i = 0; i < nodes.length; i++) {
      nodes[i] = i;
    }
    drafter.targetCommitting(0, nodes, out);
    target.commitPrefix(nodes.length);
  }
}
