package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Degenerate outputs in the metrics, on {@link ScriptedReports#plantedLoops()} (its comment gives
 * each run's counts; the expected values below are sums of them).
 */
class DegenerateOutputsTest {
  private static final double EPS = 1e-12;

  @Test
  void countsLoopingOutputsAndLeavesThemOutOfTheFilteredAcceptance() {
    ConfigEval planted = ScriptedReports.plantedLoops().configs().get(0);
    assertEquals(
        List.of(true, false, false, true, false),
        planted.runs().stream().map(PromptRun::degenerate).toList());
    assertEquals(
        List.of(2, 0, 0, 8, 0), planted.runs().stream().map(PromptRun::loopPeriod).toList());

    EvalMetrics all = planted.overall();
    assertEquals(5, all.prompts());
    assertEquals(2, all.degenerateOutputs());
    assertEquals(0.4, all.degenerateFraction(), EPS);
    // Every run: 12 + 24 + 7 + 14 + 18 = 75 steps, 300 drafted, 36 + 24 + 14 + 42 + 36 = 152.
    assertEquals(75, all.draftingSteps());
    assertEquals(1 + 152.0 / 75, all.meanAcceptedLength(), EPS);
    assertEquals(152.0 / 300, all.acceptanceRate(), EPS);
    // Without loop and loop8: 24 + 7 + 18 = 49 steps, 96 + 28 + 72 = 196 drafted, 74 accepted.
    assertEquals(1 + 74.0 / 49, all.nonDegenerateMeanAcceptedLength(), EPS);
    assertEquals(74.0 / 196, all.nonDegenerateAcceptanceRate(), EPS);
    assertTrue(all.nonDegenerateAcceptanceRate() < all.acceptanceRate(), "the loops inflated it");

    // x = loop + clean: only clean counts, 24 accepted of 96 in 24 steps.
    EvalMetrics x = planted.byCategory().get("x");
    assertEquals(1, x.degenerateOutputs());
    assertEquals(0.5, x.degenerateFraction(), EPS);
    assertEquals(1 + 60.0 / 36, x.meanAcceptedLength(), EPS);
    assertEquals(2.0, x.nonDegenerateMeanAcceptedLength(), EPS);
    assertEquals(0.25, x.nonDegenerateAcceptanceRate(), EPS);
    // y = short + loop8 + nine: short and nine count, 14 + 36 of 28 + 72 in 7 + 18 steps.
    EvalMetrics y = planted.byCategory().get("y");
    assertEquals(1, y.degenerateOutputs());
    assertEquals(1.0 / 3, y.degenerateFraction(), EPS);
    assertEquals(3.0, y.nonDegenerateMeanAcceptedLength(), EPS);
    assertEquals(0.5, y.nonDegenerateAcceptanceRate(), EPS);
  }

  @Test
  void aGroupOfOnlyLoopsHasNoFilteredAcceptance() {
    PromptRun loop = ScriptedReports.plantedLoops().configs().get(0).runs().get(0);
    EvalMetrics m = EvalMetrics.of(List.of(loop));
    assertEquals(1, m.degenerateOutputs());
    assertEquals(1.0, m.degenerateFraction(), EPS);
    assertEquals(1 + 36.0 / 12, m.meanAcceptedLength(), EPS);
    assertTrue(Double.isNaN(m.nonDegenerateMeanAcceptedLength()));
    assertTrue(Double.isNaN(m.nonDegenerateAcceptanceRate()));
  }

  @Test
  void theScriptedHarnessOutputsAreTooShortToLoop() throws Exception {
    for (ConfigEval c : ScriptedReports.twoConfigs().configs()) {
      assertEquals(0, c.overall().degenerateOutputs());
      assertEquals(c.overall().meanAcceptedLength(), c.overall().nonDegenerateMeanAcceptedLength());
      assertEquals(c.overall().acceptanceRate(), c.overall().nonDegenerateAcceptanceRate());
    }
  }
}
