package dev.specdec.sampling;

import java.util.random.RandomGenerator;

/** Draws a token from a probability vector by inverse CDF. */
public final class Sampler {
  private Sampler() {}

  /**
   * Draws an index with probability proportional to {@code probs[i]}.
   *
   * <p>The vector need not sum to exactly 1: the uniform draw is scaled by the vector's own sum,
   * and an index with probability 0 is never returned, even when rounding puts the draw past the
   * last cumulative sum.
   *
   * @param probs non-negative weights, at least one positive; not modified
   * @param rng one {@code nextDouble()} is drawn
   * @throws IllegalArgumentException when no weight is positive
   */
  public static int sample(float[] probs, RandomGenerator rng) {
    double total = 0;
    int lastPositive = -1;
    for (int i = 0; i < probs.length; i++) {
      if (probs[i] > 0) {
        total += probs[i];
        lastPositive = i;
      }
    }
    if (lastPositive < 0) {
      throw new IllegalArgumentException(
          "cannot sample: no entry of the " + probs.length + "-entry vector is positive");
    }
    double u = rng.nextDouble() * total;
    double cumulative = 0;
    for (int i = 0; i < lastPositive; i++) {
      if (probs[i] > 0) {
        cumulative += probs[i];
        if (u < cumulative) {
          return i;
        }
      }
    }
    return lastPositive;
  }
}
