package dev.specdec.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DistributionsTest {
  private static final float EPS = 1e-6f;

  @Test
  void argmaxPicksLowestIndexOnTies() {
    assertEquals(1, Distributions.argmax(new float[] {0f, 3f, 1f, 3f}));
    assertEquals(1, Distributions.argmax(new float[] {Float.NEGATIVE_INFINITY, -5f}));
  }

  @Test
  void greedyIsOneHotAtArgmax() {
    float[] out = new float[4];
    Distributions.toProbabilities(new float[] {2f, 5f, 5f, -1f}, SamplingConfig.greedy(), out);
    assertArrayEquals(new float[] {0f, 1f, 0f, 0f}, out);
  }

  @Test
  void softmaxAtTemperatureMatchesClosedForm() {
    float[] logits = {0f, (float) Math.log(2), (float) Math.log(3), Float.NEGATIVE_INFINITY};
    float[] out = new float[4];
    Distributions.toProbabilities(logits, SamplingConfig.temperature(1), out);
    assertArrayEquals(new float[] {1f / 6, 2f / 6, 3f / 6, 0f}, out, EPS);
    // Temperature 0.5 squares the weights: 1, 4, 9.
    Distributions.toProbabilities(logits, SamplingConfig.temperature(0.5), out);
    assertArrayEquals(new float[] {1f / 14, 4f / 14, 9f / 14, 0f}, out, EPS);
  }

  @Test
  void softmaxIsStableForHugeLogits() {
    float[] out = new float[3];
    Distributions.toProbabilities(
        new float[] {1e30f, 1e30f, -1e30f}, SamplingConfig.temperature(1), out);
    assertArrayEquals(new float[] {0.5f, 0.5f, 0f}, out, EPS);
  }

  @Test
  void topKKeepsTheKLargestAndRenormalizes() {
    float[] logits = logOf(0.1, 0.4, 0.2, 0.3);
    float[] out = new float[4];
    Distributions.toProbabilities(logits, new SamplingConfig(1, 2, 1), out);
    assertArrayEquals(new float[] {0f, 4f / 7, 0f, 3f / 7}, out, EPS);
  }

  @Test
  void topKBreaksTiesAtTheBoundaryByLowerTokenId() {
    float[] logits = logOf(0.25, 0.25, 0.25, 0.25);
    float[] out = new float[4];
    Distributions.toProbabilities(logits, new SamplingConfig(1, 3, 1), out);
    assertArrayEquals(new float[] {1f / 3, 1f / 3, 1f / 3, 0f}, out, EPS);
  }

  @Test
  void topPKeepsTheSmallestSetReachingP() {
    float[] logits = logOf(0.1, 0.4, 0.2, 0.3);
    float[] out = new float[4];
    // 0.4 + 0.3 = 0.7 reaches 0.65; 0.4 alone does not.
    Distributions.toProbabilities(logits, new SamplingConfig(1, 0, 0.65), out);
    assertArrayEquals(new float[] {0f, 4f / 7, 0f, 3f / 7}, out, EPS);
    // Exactly reaching p keeps no more: 0.4 + 0.3 = 0.7 at p = 0.7 (with float slack below).
    Distributions.toProbabilities(logits, new SamplingConfig(1, 0, 0.69), out);
    assertArrayEquals(new float[] {0f, 4f / 7, 0f, 3f / 7}, out, EPS);
    Distributions.toProbabilities(logits, new SamplingConfig(1, 0, 0.3), out);
    assertArrayEquals(new float[] {0f, 1f, 0f, 0f}, out, EPS);
  }

  @Test
  void topPAppliesToTheTopKRenormalizedMass() {
    float[] logits = logOf(0.1, 0.4, 0.2, 0.3);
    float[] out = new float[4];
    // Top-3 renormalized: 0.4/0.9, 0.3/0.9, 0.2/0.9 = 0.444, 0.333, 0.222; p = 0.5 needs two.
    Distributions.toProbabilities(logits, new SamplingConfig(1, 3, 0.5), out);
    assertArrayEquals(new float[] {0f, 4f / 7, 0f, 3f / 7}, out, EPS);
  }

  @Test
  void topPBreaksTiesAtTheBoundaryByLowerTokenId() {
    float[] logits = logOf(0.2, 0.4, 0.2, 0.2);
    float[] out = new float[4];
    Distributions.toProbabilities(logits, new SamplingConfig(1, 0, 0.55), out);
    assertArrayEquals(new float[] {1f / 3, 2f / 3, 0f, 0f}, out, EPS);
  }

  @Test
  void warperMatchesPlainReferenceOnRandomLogits() {
    SplittableRandom random = new SplittableRandom(7);
    LogitsWarper warper = new LogitsWarper(50);
    float[] logits = new float[50];
    float[] out = new float[50];
    for (int trial = 0; trial < 200; trial++) {
      for (int i = 0; i < logits.length; i++) {
        logits[i] = (float) (random.nextGaussian() * 3);
      }
      SamplingConfig config =
          new SamplingConfig(
              0.3 + random.nextDouble() * 2,
              random.nextInt(0, 60),
              0.05 + random.nextDouble() * 0.95);
      warper.warp(logits, config, out);
      assertArrayEquals(reference(logits, config), out, 1e-5f, config.toString());
    }
  }

  @Test
  void rejectsMismatchedLengthsAndAllMinusInfinity() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Distributions.toProbabilities(
                new float[3], SamplingConfig.temperature(1), new float[2]));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Distributions.toProbabilities(
                    new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY},
                    SamplingConfig.temperature(1),
                    new float[2]));
    assertEquals("every logit is -Infinity: no token can be drawn", e.getMessage());
  }

  /** Plain reference: boxed sort of (probability, id), prefix sums, no scratch reuse. */
  private static float[] reference(float[] logits, SamplingConfig config) {
    int v = logits.length;
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double[] p = new double[v];
    double sum = 0;
    for (int i = 0; i < v; i++) {
      p[i] = Math.exp((logits[i] - max) / config.temperature());
      sum += p[i];
    }
    Integer[] ids = new Integer[v];
    for (int i = 0; i < v; i++) {
      p[i] /= sum;
      ids[i] = i;
    }
    Arrays.sort(ids, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
    int kept = config.topK() == 0 ? v : Math.min(config.topK(), v);
    double keptMass = 0;
    for (int r = 0; r < kept; r++) {
      keptMass += p[ids[r]];
    }
    int n = 0;
    double cumulative = 0;
    while (n < kept && (config.topP() >= 1 || cumulative < config.topP() * keptMass)) {
      cumulative += p[ids[n++]];
    }
    float[] out = new float[v];
    for (int r = 0; r < n; r++) {
      out[ids[r]] = (float) (p[ids[r]] / cumulative);
    }
    return out;
  }

  private static float[] logOf(double... probs) {
    float[] out = new float[probs.length];
    for (int i = 0; i < probs.length; i++) {
      out[i] = (float) Math.log(probs[i]);
    }
    return out;
  }
}
