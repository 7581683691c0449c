package dev.specdec.verification;

import static dev.specdec.verification.TestSupport.chiSquarePValue;
import static dev.specdec.verification.TestSupport.referenceWarp;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.DraftStop;
import dev.specdec.drafting.Drafter;
import dev.specdec.drafting.MtpConfig;
import dev.specdec.drafting.MtpDrafter;
import dev.specdec.drafting.Proposal;
import dev.specdec.drafting.TokenContext;
import dev.specdec.model.CacheStats;
import dev.specdec.model.testing.FakeLm;
import dev.specdec.model.testing.FakeMtp;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TreeSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Rejection sampling stays exact with adaptive budgets, whose choices depend on the steps before:
 * the first two sampled tokens follow the target's warped joint law for sampled chains, sampled MTP
 * trees and deterministic draft trees; a budget that keeps a sampled draft by its own probability
 * (the planted bias) must fail the same test.
 */
class AdaptiveDistributionTest {
  private static final int V = 8;
  private static final int N = 40_000;
  private static final int BOS = 1;
  private static final SamplingConfig SAMPLING = new SamplingConfig(0.9, 6, 0.95);
  private static final int[] PROMPT = {1, 5, 2};

  private static double[] expectedJoint(FakeLm target) {
    double[] p0 = referenceWarp(target.logitsAfter(PROMPT), 0.9, 6, 0.95);
    double[] joint = new double[V * V];
    for (int a = 0; a < V; a++) {
      double[] p1 = referenceWarp(target.logitsAfter(new int[] {1, 5, 2, a}), 0.9, 6, 0.95);
      for (int b = 0; b < V; b++) {
        joint[a * V + b] = p0[a] * p1[b];
      }
    }
    return joint;
  }

  /** Counts of the first two tokens; {@code budgets[b]} counts the steps that verified b drafts. */
  private static long[] firstTwo(SpeculativeDecoder decoder, long[] budgets) {
    long[] counts = new long[V * V];
    for (int seed = 0; seed < N; seed++) {
      int[] t =
          decoder
              .generate(
                  PROMPT,
                  GenerationRequest.of(6, seed),
                  x -> {},
                  step -> budgets[Math.min(step.budget(), budgets.length - 1)]++)
              .tokens();
      counts[t[0] * V + t[1]]++;
    }
    return counts;
  }

  /** At least two budgets were each chosen in a twentieth of the steps: the budget varied. */
  private static void requireVaryingBudgets(long[] budgets) {
    long total = java.util.Arrays.stream(budgets).sum();
    long common = java.util.Arrays.stream(budgets).filter(n -> n >= total / 20).count();
    assertTrue(common >= 2, "budgets per step: " + java.util.Arrays.toString(budgets));
  }

  private static SpeculativeDecoder adaptive(
      FakeLm target, Drafter drafter, int k, java.util.function.Supplier<CacheStats> draft) {
    return SpeculativeDecoder.builder(target)
        .drafter(drafter)
        .sampling(SAMPLING)
        .draftTokens(k)
        .budget(BudgetPolicy.auto(WorkClock.TARGET_COST))
        .clock(WorkClock.of(target::stats, draft, 0.1e6))
        .build();
  }

  @Test
  void sampledChainsWithAdaptiveBudgetsKeepTheTargetsJointDistribution() {
    FakeLm target = FakeLm.target(V, 64, 51, 1.0);
    FakeLm draftLm = FakeLm.draftOf(target, 64, 52, 0.6);
    long[] budgets = new long[16];
    double pValue =
        chiSquarePValue(
            expectedJoint(target),
            firstTwo(
                adaptive(
                    target,
                    Drafter.draftModel(draftLm, SAMPLING, 5, new SplittableRandom(53)),
                    5,
                    draftLm::stats),
                budgets));
    assertTrue(pValue > 0.001, "p-value " + pValue);
    requireVaryingBudgets(budgets);
  }

  @Test
  void sampledMtpTreesWithAdaptiveBudgetsKeepTheTargetsJointDistribution() {
    FakeLm target = FakeLm.target(V, 64, 51, 1.0);
    FakeMtp module = new FakeMtp(target, 64, 54, BOS, 0.6);
    long[] budgets = new long[16];
    double pValue =
        chiSquarePValue(
            expectedJoint(target),
            firstTwo(
                adaptive(
                    target,
                    MtpDrafter.of(
                        module, SAMPLING, new MtpConfig(3, 2, 6), new SplittableRandom(55)),
                    6,
                    module::stats),
                budgets));
    assertTrue(pValue > 0.001, "p-value " + pValue);
    requireVaryingBudgets(budgets);
  }

  @Test
  void prunedDeterministicDraftTreesKeepTheTargetsJointDistribution() {
    FakeLm target = FakeLm.target(V, 64, 51, 1.0);
    FakeLm draftLm = FakeLm.draftOf(target, 64, 56, 0.3);
    long[] budgets = new long[16];
    double pValue =
        chiSquarePValue(
            expectedJoint(target),
            firstTwo(
                adaptive(
                    target,
                    Drafter.draftModelTree(draftLm, TreeSpec.parse("medusa-8")),
                    8,
                    draftLm::stats),
                budgets));
    assertTrue(pValue > 0.001, "p-value " + pValue);
    requireVaryingBudgets(budgets);
  }

  @Test
  void keepingASampledDraftByItsOwnProbabilityFails() {
    FakeLm target = FakeLm.target(V, 64, 51, 1.0);
    FakeLm draftLm = FakeLm.draftOf(target, 64, 52, 0.6);
    Drafter biased =
        new OwnValueBudget(Drafter.draftModel(draftLm, SAMPLING, 3, new SplittableRandom(53)));
    SpeculativeDecoder decoder =
        SpeculativeDecoder.builder(target)
            .drafter(biased)
            .sampling(SAMPLING)
            .draftTokens(3)
            .build();
    double pValue = chiSquarePValue(expectedJoint(target), firstTwo(decoder, new long[16]));
    assertTrue(pValue < 1e-6, "the planted bias must be detected, p-value " + pValue);
  }

  /**
   * The wrong budget: verifies the first draft only when the draft model found it likely, q(x) of
   * its own sampled token above 1/4, and otherwise takes a plain step.
   */
  private static final class OwnValueBudget implements Drafter {
    private final Drafter inner;

    OwnValueBudget(Drafter inner) {
      this.inner = inner;
    }

    @Override
    public Proposal propose(TokenContext context, int maxDrafts) {
      return propose(context, maxDrafts, DraftStop.NEVER);
    }

    @Override
    public Proposal propose(TokenContext context, int maxDrafts, DraftStop stop) {
      Proposal p = inner.propose(context, maxDrafts, stop);
      if (p.tree().size() > 1) {
        float[] q = p.draftDistribution(0);
        if (q[p.tree().token(1)] < 0.25f) {
          return Proposal.rootOnly(context.last());
        }
      }
      return p;
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
      return "biased";
    }
  }
}
