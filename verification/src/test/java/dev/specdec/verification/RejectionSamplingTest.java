package dev.specdec.verification;

import static dev.specdec.model.testing.FakeOutputs.output;
import static dev.specdec.verification.TestSupport.chiSquarePValue;
import static dev.specdec.verification.TestSupport.logitsOf;
import static dev.specdec.verification.TestSupport.referenceWarp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.Proposal;
import dev.specdec.sampling.Distributions;
import dev.specdec.sampling.Sampler;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TokenTree;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RejectionSamplingTest {
  private static final int V = 6;
  private static final int N = 200_000;
  private static final double[] P = {0.30, 0.05, 0.20, 0.25, 0.15, 0.05};
  private static final double[] Q = {0.05, 0.40, 0.10, 0.05, 0.20, 0.20};
  private static final SamplingConfig T1 = SamplingConfig.temperature(1);

  /** First token of one chain step of one draft drawn from Q, against target P. */
  private static long[] firstTokenCounts(boolean biased) {
    SplittableRandom draftRng = new SplittableRandom(11);
    SplittableRandom rng = new SplittableRandom(12);
    float[] q = toFloats(Q);
    TargetDistributions target = TargetDistributions.of(output(logitsOf(P), logitsOf(P)), T1);
    long[] counts = new long[V];
    for (int i = 0; i < N; i++) {
      int x = Sampler.sample(q, draftRng);
      Proposal proposal = new Proposal(TokenTree.chain(0, x), node -> node == 0 ? q : null);
      Verdict v = AcceptanceRule.RejectionSampling.decide(proposal, target, rng, biased);
      counts[v.acceptedDrafts() > 0 ? x : v.nextToken()]++;
    }
    return counts;
  }

  @Test
  void firstTokenFollowsTheTargetDistribution() {
    double pValue = chiSquarePValue(P, firstTokenCounts(false));
    assertTrue(pValue > 0.001, "p-value " + pValue);
  }

  @Test
  void resamplingFromTheTargetInsteadOfTheResidualFailsTheSameTest() {
    double pValue = chiSquarePValue(P, firstTokenCounts(true));
    assertTrue(pValue < 1e-6, "p-value " + pValue);
  }

  /**
   * Two tokens under temperature 0.8 and top-k 4, with q from other logits at every node and q at
   * depth 2 depending on the first draft. When a step yields one token, the next step (root = that
   * token, one draft) yields the second, as the decode loop would.
   */
  @Test
  void firstTwoTokensFollowTheWarpedTargetJointDistribution() {
    SamplingConfig config = new SamplingConfig(0.8, 4, 1);
    SplittableRandom setup = new SplittableRandom(3);
    float[] rootLogits = gaussian(setup);
    float[][] nextLogits = new float[V][]; // (V, V): target logits after each first token
    float[] draftRoot = gaussian(setup);
    float[][] draftNext = new float[V][];
    for (int a = 0; a < V; a++) {
      nextLogits[a] = gaussian(setup);
      draftNext[a] = gaussian(setup);
    }
    float[] bonus = gaussian(setup);
    float[] q0 = new float[V];
    Distributions.toProbabilities(draftRoot, config, q0);
    float[][] q1 = new float[V][V];
    for (int a = 0; a < V; a++) {
      Distributions.toProbabilities(draftNext[a], config, q1[a]);
    }

    SplittableRandom draftRng = new SplittableRandom(21);
    SplittableRandom rng = new SplittableRandom(22);
    TargetDistributions target = TargetDistributions.create(config, V);
    AcceptanceRule rule = AcceptanceRule.rejectionSampling();
    int n = 300_000;
    long[] counts = new long[V * V];
    for (int i = 0; i < n; i++) {
      int x1 = Sampler.sample(q0, draftRng);
      int x2 = Sampler.sample(q1[x1], draftRng);
      float[] q1x = q1[x1];
      Proposal chain = new Proposal(TokenTree.chain(9 % V, x1, x2), node -> node == 0 ? q0 : q1x);
      Verdict v = rule.decide(chain, target.bind(output(rootLogits, nextLogits[x1], bonus)), rng);
      int t1;
      int t2;
      if (v.acceptedDrafts() >= 1) {
        t1 = x1;
        t2 = v.acceptedDrafts() == 2 ? x2 : v.nextToken();
      } else {
        t1 = v.nextToken();
        float[] qNext = q1[t1];
        int y = Sampler.sample(qNext, draftRng);
        Proposal next = new Proposal(TokenTree.chain(t1, y), node -> qNext);
        Verdict w = rule.decide(next, target.bind(output(nextLogits[t1], bonus)), rng);
        t2 = w.acceptedDrafts() == 1 ? y : w.nextToken();
      }
      counts[t1 * V + t2]++;
    }
    double[] p0 = referenceWarp(rootLogits, 0.8, 4, 1);
    double[] expected = new double[V * V];
    for (int a = 0; a < V; a++) {
      double[] p1 = referenceWarp(nextLogits[a], 0.8, 4, 1);
      for (int b = 0; b < V; b++) {
        expected[a * V + b] = p0[a] * p1[b];
      }
    }
    double pValue = chiSquarePValue(expected, counts);
    assertTrue(pValue > 0.001, "p-value " + pValue);
  }

  @Test
  void deterministicSiblingsKeepTheTargetDistribution() {
    SplittableRandom rng = new SplittableRandom(31);
    TargetDistributions target =
        TargetDistributions.of(output(logitsOf(P), logitsOf(P), logitsOf(P), logitsOf(P)), T1);
    // Root 5 with drafted children 0, 3, 1 (e.g. the draft's top 3), each q a point mass.
    Proposal proposal =
        Proposal.deterministic(TokenTree.of(new int[] {5, 0, 3, 1}, new int[] {-1, 0, 0, 0}));
    long[] counts = new long[V];
    AcceptanceRule rule = AcceptanceRule.rejectionSampling();
    for (int i = 0; i < N; i++) {
      Verdict v = rule.decide(proposal, target, rng);
      counts[v.acceptedDrafts() > 0 ? proposal.tree().token(v.path()[1]) : v.nextToken()]++;
    }
    double pValue = chiSquarePValue(P, counts);
    assertTrue(pValue > 0.001, "p-value " + pValue);
  }

  @Test
  void siblingsSampledWithReplacementKeepTheTargetDistribution() {
    SplittableRandom draftRng = new SplittableRandom(41);
    SplittableRandom rng = new SplittableRandom(42);
    float[] q = toFloats(Q);
    TargetDistributions target =
        TargetDistributions.of(output(logitsOf(P), logitsOf(P), logitsOf(P), logitsOf(P)), T1);
    AcceptanceRule rule = AcceptanceRule.rejectionSampling();
    long[] counts = new long[V];
    for (int i = 0; i < N; i++) {
      int[] tokens = {2, Sampler.sample(q, draftRng), Sampler.sample(q, draftRng), 0};
      tokens[3] = Sampler.sample(q, draftRng);
      TokenTree tree = TokenTree.of(tokens, new int[] {-1, 0, 0, 0});
      Verdict v = rule.decide(new Proposal(tree, node -> node == 0 ? q : null), target, rng);
      counts[v.acceptedDrafts() > 0 ? tree.token(v.path()[1]) : v.nextToken()]++;
    }
    double pValue = chiSquarePValue(P, counts);
    assertTrue(pValue > 0.001, "p-value " + pValue);
  }

  @Test
  void acceptsEveryDraftTheTargetAgreesWithAndDrawsTheBonusFromTheLastNode() {
    // Point-mass target rows: p(root) = token 2, p(node 1) = token 4, p(node 2) = token 1.
    float[] at2 = logitsOf(0, 0, 1, 0, 0, 0);
    float[] at4 = logitsOf(0, 0, 0, 0, 1, 0);
    float[] at1 = logitsOf(0, 1, 0, 0, 0, 0);
    TargetDistributions target = TargetDistributions.of(output(at2, at4, at1), T1);
    Verdict v =
        AcceptanceRule.rejectionSampling()
            .decide(
                Proposal.deterministic(TokenTree.chain(0, 2, 4)), target, new SplittableRandom(1));
    assertArrayEquals(new int[] {0, 1, 2}, v.path());
    assertEquals(1, v.nextToken());
  }

  @Test
  void rejectedDeterministicDraftIsNeverTheCorrection() {
    float[] logits = logitsOf(0.5, 0.5, 0, 0, 0, 0);
    TargetDistributions target = TargetDistributions.of(output(logits, logits), T1);
    SplittableRandom rng = new SplittableRandom(5);
    Proposal proposal = Proposal.deterministic(TokenTree.chain(3, 0));
    for (int i = 0; i < 1000; i++) {
      Verdict v = AcceptanceRule.rejectionSampling().decide(proposal, target, rng);
      if (v.acceptedDrafts() == 0) {
        assertEquals(1, v.nextToken());
      }
    }
  }

  @Test
  void greedyFollowsTheSiblingThatMatchesTheTargetArgmax() {
    // Root row argmax 3; node 2 (token 3) row argmax 5; node 4 (token 5) row argmax 0.
    float[] r0 = {0, 1, 2, 9, 0, 0};
    float[] r1 = {9, 0, 0, 0, 0, 0};
    float[] r2 = {0, 0, 0, 0, 0, 9};
    float[] r3 = {0, 9, 0, 0, 0, 0};
    float[] r4 = {9, 0, 0, 0, 0, 0};
    TokenTree tree = TokenTree.of(new int[] {1, 2, 3, 4, 5}, new int[] {-1, 0, 0, 2, 2});
    TargetDistributions target =
        TargetDistributions.of(output(r0, r1, r2, r3, r4), SamplingConfig.greedy());
    Verdict v =
        AcceptanceRule.greedy()
            .decide(Proposal.deterministic(tree), target, new SplittableRandom(0));
    assertArrayEquals(new int[] {0, 2, 4}, v.path());
    assertEquals(0, v.nextToken());
  }

  private static float[] gaussian(SplittableRandom r) {
    float[] out = new float[V];
    for (int i = 0; i < V; i++) {
      out[i] = (float) r.nextGaussian();
    }
    return out;
  }

  private static float[] toFloats(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }
}
