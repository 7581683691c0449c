package dev.specdec.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.model.testing.FakeLm;
import org.junit.jupiter.api.Test;

/** The verification step's work beyond its pass: interpolation, validation and the probe. */
class VerifyOverheadTest {
  @Test
  void interpolatesLinearlyInTokensAndStaysFlatBeyondTheGrid() {
    VerifyOverhead v = new VerifyOverhead(new int[] {1, 5, 9}, new double[] {-100, 300, 500});
    assertEquals(-100, v.nanos(1), 1e-9);
    assertEquals(0, v.nanos(2), 1e-9);
    assertEquals(400, v.nanos(7), 1e-9);
    assertEquals(500, v.nanos(64), 1e-9);
    assertEquals(0, VerifyOverhead.NONE.nanos(33), 1e-9);
  }

  @Test
  void rejectsAGridThatDoesNotStartAtOneOrIsNotIncreasing() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new VerifyOverhead(new int[] {2, 4}, new double[] {0, 0}));
    assertThrows(
        IllegalArgumentException.class,
        () -> new VerifyOverhead(new int[] {1, 1}, new double[] {0, 0}));
    assertThrows(
        IllegalArgumentException.class,
        () -> new VerifyOverhead(new int[] {1}, new double[] {Double.NaN}));
  }

  @Test
  void probeMeasuresEveryCountTheContextHoldsAndLeavesTheCacheEmpty() {
    FakeLm model = FakeLm.target(16, 256, 3, 1.0);
    PassCost cost = PassCost.linear(1, 0);

    VerifyOverhead v = VerifyOverhead.probe(model, cost, 64);

    // 65 positions of prompt, 14 steps and twice the chain must fit 256: up to T = 65 fits.
    assertArrayEquals(VerifyOverhead.PROBE_TOKENS, v.tokens());
    for (double n : v.nanos()) {
      assertTrue(Double.isFinite(n) && n > -1, "verify time minus a 1 ns pass: " + n);
    }
    assertEquals(0, model.cacheLength(), "the probe leaves the cache empty");
  }
}
