package dev.specdec.verification;

import static dev.specdec.model.testing.FakeOutputs.output;
import static dev.specdec.verification.TestSupport.chiSquarePValue;
import static dev.specdec.verification.TestSupport.referenceWarp;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.DraftDistributions;
import dev.specdec.drafting.Proposal;
import dev.specdec.model.ForwardOutput;
import dev.specdec.sampling.Distributions;
import dev.specdec.sampling.Sampler;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TokenTree;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Exactness of recursive rejection sampling on trees two levels deep with several siblings per
 * level: the joint distribution of the first two emitted tokens must be the target's, p(a) p(b|a),
 * over 200k seeded steps; a rule that draws corrections from p instead of the residual must fail.
 */
class TreeRejectionSamplingTest {
  private static final int V = 6;
  private static final int N = 200_000;
  private static final SamplingConfig CONFIG = new SamplingConfig(0.9, 0, 1);

  /** Target logits: at the root, after each first token a, and (any) deeper. */
  private final float[] rootLogits;

  private final float[][] afterLogits; // (V, V)
  private final float[] deepLogits;
  // Draft distributions for the sampled variant: at the root, and after each first token.
  private final float[] qRoot = new float[V];
  private final float[][] qAfter = new float[V][V];

  TreeRejectionSamplingTest() {
    SplittableRandom setup = new SplittableRandom(2026);
    rootLogits = gaussian(setup);
    afterLogits = new float[V][];
    for (int a = 0; a < V; a++) {
      afterLogits[a] = gaussian(setup);
    }
    deepLogits = gaussian(setup);
    Distributions.toProbabilities(gaussian(setup), CONFIG, qRoot);
    for (int a = 0; a < V; a++) {
      Distributions.toProbabilities(gaussian(setup), CONFIG, qAfter[a]);
    }
  }

  private static float[] gaussian(SplittableRandom random) {
    float[] out = new float[V];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (1.5 * random.nextGaussian());
    }
    return out;
  }

  /** How one step builds its tree below a root: tokens and parents, and q per inner node. */
  private interface TreeMaker {
    Proposal make(int root, SplittableRandom draftRng);
  }

  /**
   * Medusa's case: deterministic top-k drafts, the same three candidates at level 1 and the same
   * two below each of them (every node a point mass, siblings distinct).
   */
  private static Proposal medusaLike(int root, SplittableRandom unused) {
    int[] level1 = {0, 3, 1};
    int[] level2 = {2, 0};
    int n = 1 + level1.length * (1 + level2.length);
    int[] tokens = new int[n];
    int[] parents = new int[n];
    tokens[0] = root;
    parents[0] = -1;
    for (int i = 0; i < level1.length; i++) {
      tokens[1 + i] = level1[i];
      parents[1 + i] = 0;
      for (int j = 0; j < level2.length; j++) {
        int node = 1 + level1.length + i * level2.length + j;
        tokens[node] = level2[j];
        parents[node] = 1 + i;
      }
    }
    return Proposal.deterministic(TokenTree.of(tokens, parents));
  }

  /**
   * Sampled drafts: three siblings from q at the root, two from q(.|a) below each, with
   * replacement.
   */
  private Proposal sampledTree(int root, SplittableRandom draftRng) {
    int[] tokens = new int[10];
    int[] parents = new int[10];
    tokens[0] = root;
    parents[0] = -1;
    for (int i = 0; i < 3; i++) {
      tokens[1 + i] = Sampler.sample(qRoot, draftRng);
      parents[1 + i] = 0;
    }
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) {
        int node = 4 + 2 * i + j;
        tokens[node] = Sampler.sample(qAfter[tokens[1 + i]], draftRng);
        parents[node] = 1 + i;
      }
    }
    TokenTree tree = TokenTree.of(tokens, parents);
    DraftDistributions q = node -> node == 0 ? qRoot : node <= 3 ? qAfter[tree.token(node)] : null;
    return new Proposal(tree, q);
  }

  /** Target rows of a step whose root's next-token logits are {@code rootRow}. */
  private ForwardOutput targetOutput(TokenTree tree, float[] rootRow) {
    float[][] rows = new float[tree.size()][];
    for (int i = 0; i < tree.size(); i++) {
      rows[i] =
          switch (tree.depth(i)) {
            case 0 -> rootRow;
            case 1 -> afterLogits[tree.token(i)];
            default -> deepLogits;
          };
    }
    return output(rows);
  }

  private long[] firstTwoTokenCounts(TreeMaker maker, boolean biased) {
    SplittableRandom draftRng = new SplittableRandom(7);
    SplittableRandom rng = new SplittableRandom(8);
    long[] counts = new long[V * V];
    for (int s = 0; s < N; s++) {
      Proposal first = maker.make(5, draftRng);
      Verdict v =
          AcceptanceRule.RejectionSampling.decide(
              first,
              TargetDistributions.of(targetOutput(first.tree(), rootLogits), CONFIG),
              rng,
              biased);
      int[] path = v.path();
      int t1 = path.length > 1 ? first.tree().token(path[1]) : v.nextToken();
      int t2;
      if (path.length > 2) {
        t2 = first.tree().token(path[2]);
      } else if (path.length == 2) {
        t2 = v.nextToken();
      } else {
        // The step emitted one token; the next step, rooted at it, emits the second.
        Proposal second = maker.make(t1, draftRng);
        Verdict w =
            AcceptanceRule.RejectionSampling.decide(
                second,
                TargetDistributions.of(targetOutput(second.tree(), afterLogits[t1]), CONFIG),
                rng,
                biased);
        t2 = w.path().length > 1 ? second.tree().token(w.path()[1]) : w.nextToken();
      }
      counts[t1 * V + t2]++;
    }
    return counts;
  }

  private double[] expectedJoint() {
    double[] p0 = referenceWarp(rootLogits, CONFIG.temperature(), 0, 1);
    double[] joint = new double[V * V];
    for (int a = 0; a < V; a++) {
      double[] p1 = referenceWarp(afterLogits[a], CONFIG.temperature(), 0, 1);
      for (int b = 0; b < V; b++) {
        joint[a * V + b] = p0[a] * p1[b];
      }
    }
    return joint;
  }

  @Test
  void deterministicTopKTreeTwoLevelsDeepKeepsTheJointTargetDistribution() {
    double pValue =
        chiSquarePValue(
            expectedJoint(), firstTwoTokenCounts(TreeRejectionSamplingTest::medusaLike, false));
    assertTrue(pValue > 0.001, "p-value " + pValue);
  }

  @Test
  void deterministicTopKTreeWithTheWrongResidualFails() {
    double pValue =
        chiSquarePValue(
            expectedJoint(), firstTwoTokenCounts(TreeRejectionSamplingTest::medusaLike, true));
    assertTrue(pValue < 1e-6, "p-value " + pValue);
  }

  @Test
  void sampledSiblingsTwoLevelsDeepKeepTheJointTargetDistribution() {
    double pValue = chiSquarePValue(expectedJoint(), firstTwoTokenCounts(this::sampledTree, false));
    assertTrue(pValue > 0.001, "p-value " + pValue);
  }

  @Test
  void sampledSiblingsWithTheWrongResidualFail() {
    double pValue = chiSquarePValue(expectedJoint(), firstTwoTokenCounts(this::sampledTree, true));
    assertTrue(pValue < 1e-6, "p-value " + pValue);
  }
}
