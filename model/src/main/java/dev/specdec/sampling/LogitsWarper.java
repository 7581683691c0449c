package dev.specdec.sampling;

import java.util.Arrays;

/**
 * {@link Distributions#toProbabilities} without allocation: owns the scratch array that top-k and
 * top-p sort through.
 *
 * <p>Top-k and top-p sort all V tokens by probability (O(V log V) per call, ties by lower token
 * id), so that the kept set is deterministic. Not thread-safe: one per decode loop.
 */
public final class LogitsWarper {
  private final int vocabSize;
  private final long[] order; // (V) sort keys: (descending probability bits, ascending token id)

  /** A warper for vectors of {@code vocabSize} entries. */
  public LogitsWarper(int vocabSize) {
    if (vocabSize <= 0) {
      throw new IllegalArgumentException("vocabSize must be > 0, was " + vocabSize);
    }
    this.vocabSize = vocabSize;
    this.order = new long[vocabSize];
  }

  /** Length of the vectors this warper takes. */
  public int vocabSize() {
    return vocabSize;
  }

  /**
   * Same contract as {@link Distributions#toProbabilities}.
   *
   * @throws IllegalArgumentException when a vector's length is not {@link #vocabSize()}
   */
  public void warp(float[] logits, SamplingConfig config, float[] out) {
    if (logits.length != vocabSize) {
      throw new IllegalArgumentException(
          "logits have " + logits.length + " entries, this warper takes " + vocabSize);
    }
    Distributions.softmaxOrOneHot(logits, config, out);
    if (!needsSort(config, vocabSize)) {
      return;
    }
    // Probabilities are >= 0, so their float bits order like their values.
    for (int i = 0; i < vocabSize; i++) {
      order[i] = ((long) (Integer.MAX_VALUE - Float.floatToRawIntBits(out[i])) << 32) | i;
    }
    Arrays.sort(order);
    int kept = config.topK() > 0 ? Math.min(config.topK(), vocabSize) : vocabSize;
    if (config.topP() < 1) {
      double mass = 0;
      for (int r = 0; r < kept; r++) {
        mass += out[(int) order[r]];
      }
      // Smallest prefix (in sorted order) whose mass reaches p of the top-k mass; summed in the
      // same order as the total, so the last prefix always reaches it.
      double target = config.topP() * mass;
      double cumulative = 0;
      int r = 0;
      while (r < kept) {
        cumulative += out[(int) order[r++]];
        if (cumulative >= target) {
          break;
        }
      }
      kept = r;
    }
    double keptMass = 0;
    for (int r = 0; r < kept; r++) {
      keptMass += out[(int) order[r]];
    }
    for (int r = kept; r < vocabSize; r++) {
      out[(int) order[r]] = 0f;
    }
    double inv = 1.0 / keptMass;
    for (int r = 0; r < kept; r++) {
      int token = (int) order[r];
      out[token] = (float) (out[token] * inv);
    }
  }

  /** True when top-k or top-p removes tokens, so the warping must sort. */
  static boolean needsSort(SamplingConfig config, int vocabSize) {
    return !config.isGreedy()
        && ((config.topK() > 0 && config.topK() < vocabSize) || config.topP() < 1);
  }
}
