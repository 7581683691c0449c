package dev.specdec.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.DraftConfidence;
import dev.specdec.drafting.Proposal;
import dev.specdec.tree.TokenTree;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The budget choice of {@link AdaptiveBudget} on hand-made costs and proposals. */
class AdaptiveBudgetTest {
  private static final double MS = 1e6;

  private static AdaptiveBudget budget(PassCost cost) {
    return new AdaptiveBudget(new BudgetPolicy.Auto(cost, Optional.empty()), 100, 1);
  }

  private static Proposal chain(int length, float confidence) {
    int[] drafts = new int[length];
    for (int i = 0; i < length; i++) {
      drafts[i] = i + 1;
    }
    return Proposal.deterministic(TokenTree.chain(0, drafts), node -> confidence);
  }

  private static int[] all(int n) {
    int[] nodes = new int[n];
    Arrays.setAll(nodes, i -> i);
    return nodes;
  }

  @Test
  void aCostCurveWhereEightTokensCostAsMuchAsOneVerifiesTheWholeChain() {
    AdaptiveBudget budget = budget(PassCost.linear(2 * MS, 0));
    assertEquals(8, budget.cap(8, 100));
    assertArrayEquals(all(9), budget.choose(chain(8, 0.3f)));
    assertTrue(budget.expectedTokens() > 1);
  }

  @Test
  void aCostCurveWhereEveryTokenCostsAPassVerifiesTheRootAlone() {
    AdaptiveBudget budget = budget(PassCost.linear(MS, MS));
    budget.cap(8, 100);
    // Even a sure draft only breaks even: (1 + 1) tokens for twice the cost.
    assertArrayEquals(new int[] {0}, budget.choose(chain(8, 0.99f)));
    assertEquals(1, budget.expectedTokens());
  }

  @Test
  void flatZeroAcceptanceChoosesPlainThenTurnsSpeculationOffAndProbesAgain() {
    AdaptiveBudget budget = budget(PassCost.linear(MS, 0.1 * MS));
    Proposal proposal = chain(4, 0.9f);
    int lastKept = -1;
    for (int step = 0; step < 600; step++) {
      int cap = budget.cap(4, 100);
      if (cap == 0) {
        budget.choose(Proposal.rootOnly(0));
        budget.observe(Proposal.rootOnly(0), new int[] {0}, 0, (long) MS, (long) MS, 0);
        continue;
      }
      int[] kept = budget.choose(proposal);
      if (budget.isProbing()) {
        lastKept = kept.length;
      }
      Proposal verified = kept.length < 5 ? SubTree.reduce(proposal, kept) : proposal;
      // The target rejects every draft; its passes cost what the model says.
      long verify = (long) (MS * (1 + 0.1 * (kept.length - 1)));
      budget.observe(
          verified, new int[] {0}, (long) (0.2 * MS), verify, verify + (long) (0.2 * MS), 4);
    }
    assertTrue(budget.isOff(), "speculation should be off after steps that accepted nothing");
    // A probe verifies one draft at least; once nothing is ever accepted, exactly one.
    assertEquals(2, lastKept, "a draft that is never accepted is pruned to the probe's minimum");
    // Off: plain steps, then a probe after at most the longest interval.
    int plain = 0;
    while (budget.cap(4, 200) == 0) {
      budget.observe(Proposal.rootOnly(0), new int[] {0}, 0, (long) MS, (long) MS, 0);
      plain++;
      assertTrue(plain < AdaptiveBudget.MAX_PROBE_INTERVAL, "no probe after " + plain);
    }
  }

  @Test
  void aProbeThatPaysTurnsSpeculationBackOn() {
    AdaptiveBudget budget = budget(PassCost.linear(MS, 0.05 * MS));
    Proposal proposal = chain(4, 0.9f);
    for (int step = 0; step < 10; step++) {
      if (budget.cap(4, 100) > 0) {
        budget.choose(proposal);
        budget.observe(proposal, new int[] {0}, (long) (0.5 * MS), (long) MS, (long) (1.5 * MS), 4);
      } else {
        budget.observe(Proposal.rootOnly(0), new int[] {0}, 0, (long) MS, (long) MS, 0);
      }
    }
    assertTrue(budget.isOff());
    for (int step = 0; step < 200 && budget.isOff(); step++) {
      if (budget.cap(4, 100) > 0) {
        int[] kept = budget.choose(proposal);
        Proposal verified = kept.length < 5 ? SubTree.reduce(proposal, kept) : proposal;
        // Now the target accepts everything that was verified, cheaply drafted.
        budget.observe(
            verified, all(kept.length), (long) (0.01 * MS), (long) MS, (long) (1.01 * MS), 4);
      } else {
        budget.observe(Proposal.rootOnly(0), new int[] {0}, 0, (long) MS, (long) MS, 0);
      }
    }
    assertFalse(budget.isOff(), "a paying probe must turn speculation back on");
  }

  @Test
  void prunedTreesAreSubtreesHoldingTheBestNodes() {
    SplittableRandom random = new SplittableRandom(15);
    for (int trial = 0; trial < 200; trial++) {
      int n = 2 + random.nextInt(40);
      int[] tokens = new int[n];
      int[] parents = new int[n];
      float[] confidence = new float[n];
      parents[0] = -1;
      for (int i = 1; i < n; i++) {
        parents[i] = random.nextInt(i);
        tokens[i] = random.nextInt(50);
        confidence[i] = random.nextFloat();
      }
      TokenTree tree = TokenTree.of(tokens, parents);
      Proposal proposal = Proposal.deterministic(tree, DraftConfidence.of(confidence));
      AdaptiveBudget budget = budget(PassCost.linear(MS, random.nextDouble() * 0.2 * MS));
      budget.cap(64, 100);
      int[] kept = budget.choose(proposal);
      assertEquals(0, kept[0]);
      boolean[] in = new boolean[n];
      for (int node : kept) {
        in[node] = true;
      }
      // Every kept node's parent is kept, and no dropped node beats a kept one.
      double[] value = new double[n];
      value[0] = 1;
      for (int i = 1; i < n; i++) {
        value[i] = value[parents[i]] * confidence[i]; // the prior calibration is the identity
        if (in[i]) {
          assertTrue(in[parents[i]], "node " + i + " kept without its parent, trial " + trial);
        }
      }
      for (int i = 1; i < n; i++) {
        for (int j = 1; j < n; j++) {
          if (in[i] && !in[j]) {
            assertTrue(value[i] >= value[j] - 1e-6, "kept " + i + " below dropped " + j);
          }
        }
      }
      Proposal pruned = SubTree.reduce(proposal, kept);
      assertEquals(kept.length, pruned.tree().size());
      // A root-down path of the pruned tree maps back to a root-down path of the original.
      int leaf = pruned.tree().size() - 1;
      int[] path = pruned.tree().pathTo(leaf);
      int[] original = SubTree.original(path, kept);
      assertArrayEquals(tree.pathTo(kept[leaf]), original);
      for (int k = 1; k < kept.length; k++) {
        assertEquals(tree.token(kept[k]), pruned.tree().token(k));
        assertEquals(confidence[kept[k]], pruned.confidenceOf(k), 0f);
      }
    }
  }

  @Test
  void sampledDraftsAreKeptByTheirAncestorsOnly() {
    // Under rejection sampling a sampled draft's own value must not decide whether it is
    // verified: changing what lies below a node never changes whether the node is kept.
    SplittableRandom random = new SplittableRandom(16);
    float[] q = new float[8];
    Arrays.fill(q, 1f / 8);
    for (int trial = 0; trial < 100; trial++) {
      int n = 9;
      float[] a = new float[n];
      for (int i = 1; i < n; i++) {
        a[i] = random.nextFloat();
      }
      int cut = 1 + random.nextInt(n - 1);
      float[] b = a.clone();
      for (int i = cut + 1; i < n; i++) {
        b[i] = random.nextFloat();
      }
      int[] keptA = sampledChoice(a, q);
      int[] keptB = sampledChoice(b, q);
      for (int i = 0; i <= cut; i++) {
        assertEquals(contains(keptA, i), contains(keptB, i), "node " + i + ", trial " + trial);
      }
    }
  }

  private static int[] sampledChoice(float[] confidence, float[] q) {
    int[] drafts = new int[confidence.length - 1];
    TokenTree tree = TokenTree.chain(0, drafts);
    Proposal proposal = new Proposal(tree, node -> q, DraftConfidence.of(confidence));
    AdaptiveBudget budget = budget(PassCost.linear(MS, 0.1 * MS));
    budget.cap(64, 100);
    return budget.choose(proposal);
  }

  private static boolean contains(int[] nodes, int node) {
    return Arrays.stream(nodes).anyMatch(x -> x == node);
  }

  @Test
  void aChainStopsDraftingWhenOneMoreLevelCannotPay() {
    AdaptiveBudget steep = budget(PassCost.linear(MS, MS));
    steep.cap(8, 100);
    assertFalse(steep.stop().deeper(1, 0.9f), "a pass per token never pays for a draft");
    AdaptiveBudget flat = budget(PassCost.linear(MS, 0));
    flat.cap(8, 100);
    for (int depth = 1; depth < 8; depth++) {
      assertTrue(flat.stop().deeper(depth, 0.5f), "free tokens always pay, depth " + depth);
    }
  }
}
