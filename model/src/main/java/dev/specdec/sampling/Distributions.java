package dev.specdec.sampling;

/**
 * Logits to probability vectors: temperature, then top-k, then top-p, renormalized.
 *
 * <p>Target and draft distributions go through the same warping, which is what keeps rejection
 * sampling exact for the warped target. For a decode loop, keep one {@link LogitsWarper} per vocab
 * and call it instead: {@link #toProbabilities} allocates a warper per call when top-k or top-p is
 * on.
 */
public final class Distributions {
  private Distributions() {}

  /**
   * Warps {@code logits} into a probability vector.
   *
   * <p>Greedy ({@code temperature == 0}): a one-hot vector at {@link #argmax}. Otherwise {@code
   * softmax(logits / temperature)} computed with the maximum subtracted, then the {@code topK} most
   * likely tokens kept, then among those the smallest set of most likely tokens whose mass reaches
   * {@code topP}; ties at either boundary keep the lower token id. The kept tokens are
   * renormalized; every other entry is exactly 0.
   *
   * @param logits V logits, finite or {@code -Infinity}; not modified
   * @param config the warping
   * @param out receives V probabilities; may not be {@code logits}
   * @throws IllegalArgumentException when the lengths differ or every logit is {@code -Infinity}
   */
  public static void toProbabilities(float[] logits, SamplingConfig config, float[] out) {
    if (LogitsWarper.needsSort(config, logits.length)) {
      new LogitsWarper(logits.length).warp(logits, config, out);
    } else {
      softmaxOrOneHot(logits, config, out);
    }
  }

  /** Index of the largest value; the lowest index among equal maxima. */
  public static int argmax(float[] values) {
    int best = 0;
    float bestValue = values[0];
    for (int i = 1; i < values.length; i++) {
      if (values[i] > bestValue) {
        bestValue = values[i];
        best = i;
      }
    }
    return best;
  }

  /** Greedy one-hot, or the plain tempered softmax: the warping without top-k and top-p. */
  static void softmaxOrOneHot(float[] logits, SamplingConfig config, float[] out) {
    if (out.length != logits.length) {
      throw new IllegalArgumentException(
          "out has " + out.length + " entries, logits " + logits.length + ": they must match");
    }
    if (config.isGreedy()) {
      java.util.Arrays.fill(out, 0f);
      out[argmax(logits)] = 1f;
      return;
    }
    float max = logits[argmax(logits)];
    if (max == Float.NEGATIVE_INFINITY) {
      throw new IllegalArgumentException("every logit is -Infinity: no token can be drawn");
    }
    double invT = 1.0 / config.temperature();
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      // exp((l - max) / T) <= 1: no overflow; stored as float, summed in double.
      float w = (float) Math.exp((logits[i] - (double) max) * invT);
      out[i] = w;
      sum += w;
    }
    double inv = 1.0 / sum;
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (out[i] * inv);
    }
  }
}
