package dev.specdec.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.specdec.drafting.Proposal;
import dev.specdec.model.testing.FakeOutputs;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TokenTree;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TypicalAcceptanceTest {
  private static final SamplingConfig T1 = SamplingConfig.temperature(1.0);

  private static double entropy(double... p) {
    double h = 0;
    for (double x : p) {
      h -= x > 0 ? x * Math.log(x) : 0;
    }
    return h;
  }

  @Test
  void acceptsADraftExactlyWhenItsProbabilityExceedsTheEntropyScaledThreshold() {
    double[] p = {0.5, 0.3, 0.15, 0.05};
    double threshold = Math.min(0.09, 0.3 * Math.exp(-entropy(p)));
    // 0.3 * exp(-H) with H = 1.14 nats is 0.096: epsilon 0.09 is the binding threshold.
    assertEquals(0.09, threshold, 1e-12);
    TargetDistributions target =
        TargetDistributions.of(
            FakeOutputs.output(TestSupport.logitsOf(p), TestSupport.logitsOf(p)), T1);
    AcceptanceRule rule = AcceptanceRule.typical();
    Verdict accepted =
        rule.decide(Proposal.deterministic(TokenTree.chain(9, 2)), target, new SplittableRandom(1));
    assertArrayEquals(new int[] {0, 1}, accepted.path()); // p = 0.15 > 0.09
    Verdict rejected =
        rule.decide(Proposal.deterministic(TokenTree.chain(9, 3)), target, new SplittableRandom(1));
    assertArrayEquals(new int[] {0}, rejected.path()); // p = 0.05 <= 0.09
  }

  @Test
  void picksTheDeepestAcceptedPathNotTheFirstAcceptedChild() {
    double[] p = {0.4, 0.4, 0.1, 0.1};
    float[] row = TestSupport.logitsOf(p);
    TargetDistributions target = TargetDistributions.of(FakeOutputs.output(row, row, row, row), T1);
    // Root has children 0 (a leaf) and 1; node 2 hangs under the second child.
    TokenTree tree = TokenTree.of(new int[] {9, 0, 1, 0}, new int[] {-1, 0, 0, 2});
    Verdict verdict =
        AcceptanceRule.typical()
            .decide(Proposal.deterministic(tree), target, new SplittableRandom(3));
    assertArrayEquals(new int[] {0, 2, 3}, verdict.path());
  }

  @Test
  void equalsGreedyAtTemperatureZero() {
    SamplingConfig greedy = SamplingConfig.greedy();
    float[] a = TestSupport.logitsOf(0.1, 0.6, 0.2, 0.1);
    float[] b = TestSupport.logitsOf(0.3, 0.2, 0.4, 0.1);
    TokenTree tree = TokenTree.of(new int[] {9, 1, 2, 2, 0}, new int[] {-1, 0, 0, 1, 1});
    for (float[][] rows : new float[][][] {{a, b, a, a, a}, {b, a, b, b, b}}) {
      TargetDistributions target = TargetDistributions.of(FakeOutputs.output(rows), greedy);
      Verdict typical =
          AcceptanceRule.typical()
              .decide(Proposal.deterministic(tree), target, new SplittableRandom(5));
      Verdict exact =
          AcceptanceRule.greedy()
              .decide(Proposal.deterministic(tree), target, new SplittableRandom(5));
      assertEquals(exact, typical);
    }
  }

  @Test
  void rejectsThresholdsOutsideTheirRanges() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AcceptanceRule.typical(0, 0.3));
    assertEquals("typical acceptance epsilon must be in (0, 1], was 0.0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AcceptanceRule.typical(0.09, -1));
  }
}
