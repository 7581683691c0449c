package dev.specdec.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class SamplerTest {

  @Test
  void sampleFrequenciesMatchProbabilities() {
    float[] probs = {0.1f, 0f, 0.6f, 0.3f};
    RandomGenerator rng = new SplittableRandom(42);
    int n = 200_000;
    int[] counts = new int[probs.length];
    for (int i = 0; i < n; i++) {
      counts[Sampler.sample(probs, rng)]++;
    }
    assertEquals(0, counts[1]);
    for (int i = 0; i < probs.length; i++) {
      // 5 standard deviations of a binomial count.
      double sd = Math.sqrt(n * probs[i] * (1 - probs[i]));
      assertEquals(n * probs[i], counts[i], 5 * sd + 1e-9, "token " + i);
    }
  }

  @Test
  void neverReturnsZeroProbabilityTokensEvenAtTheTopOfTheRange() {
    float[] probs = {0f, 0.5f, 0.5f, 0f, 0f};
    RandomGenerator almostOne = fixed(Math.nextDown(1.0));
    assertEquals(2, Sampler.sample(probs, almostOne));
    assertEquals(1, Sampler.sample(probs, fixed(0.0)));
    // Weights that do not sum to 1 are scaled, not clipped.
    assertEquals(2, Sampler.sample(new float[] {0f, 0.2f, 0.2f, 0f}, fixed(0.75)));
  }

  @Test
  void rejectsAVectorWithNoPositiveEntry() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Sampler.sample(new float[] {0f, 0f}, new SplittableRandom(1)));
    assertEquals("cannot sample: no entry of the 2-entry vector is positive", e.getMessage());
  }

  private static RandomGenerator fixed(double value) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        throw new UnsupportedOperationException();
      }

      @Override
      public double nextDouble() {
        return value;
      }
    };
  }
}
