package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ConfidenceIntervalTest {
  private static final double Z = 1.959963984540054; // the 97.5 % point of N(0, 1)

  @Test
  void wilsonIntervalMatchesItsClosedForm() {
    long n = 21;
    long k = 9;
    double p = (double) k / n;
    double denominator = 1 + Z * Z / n;
    double center = (p + Z * Z / (2 * n)) / denominator;
    double half = Z / denominator * Math.sqrt(p * (1 - p) / n + Z * Z / (4.0 * n * n));
    ConfidenceInterval ci = ConfidenceInterval.ofProportion(n, k);
    assertEquals(center - half, ci.lower(), 1e-9);
    assertEquals(center + half, ci.upper(), 1e-9);
  }

  @Test
  void tIntervalOfThreeValuesUsesTwoDegreesOfFreedom() {
    // mean 2, sample sd 1, t(0.975, 2) = 4.302652729749464
    ConfidenceInterval ci = ConfidenceInterval.ofMean(new double[] {1, 2, 3});
    double half = 4.302652729749464 / Math.sqrt(3);
    assertEquals(2 - half, ci.lower(), 1e-9);
    assertEquals(2 + half, ci.upper(), 1e-9);
  }

  @Test
  void tooLittleDataGivesNoInterval() {
    assertFalse(ConfidenceInterval.ofMean(new double[] {1.5}).isKnown());
    assertFalse(ConfidenceInterval.ofProportion(0, 0).isKnown());
    assertThrows(IllegalArgumentException.class, () -> ConfidenceInterval.ofProportion(3, 4));
  }
}
