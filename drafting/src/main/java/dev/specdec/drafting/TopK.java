package dev.specdec.drafting;

/** The k largest logits of a row and their softmax probabilities (temperature 1). */
final class TopK {
  private TopK() {}

  /**
   * Writes the k best tokens of {@code logits[offset, offset + vocab)}, best first (ties to the
   * smaller token id, as {@code Distributions.argmax}), and their probabilities under the row's
   * softmax.
   *
   * @param k at most {@code vocab}
   */
  static void of(
      float[] logits, int offset, int vocab, int k, int[] tokens, float[] probs, int outOffset) {
    if (k > vocab) {
      throw new IllegalArgumentException("top-" + k + " of a vocabulary of " + vocab);
    }
    float max = Float.NEGATIVE_INFINITY;
    for (int v = 0; v < vocab; v++) {
      max = Math.max(max, logits[offset + v]);
    }
    double sum = 0;
    for (int v = 0; v < vocab; v++) {
      sum += Math.exp(logits[offset + v] - max);
    }
    // Insertion into a sorted prefix: k is small (<= 16), V a few thousand at most per call.
    int filled = 0;
    for (int v = 0; v < vocab; v++) {
      float x = logits[offset + v];
      if (filled == k && !(x > logits[offset + tokens[outOffset + k - 1]])) {
        continue;
      }
      int at = Math.min(filled, k - 1);
      while (at > 0 && x > logits[offset + tokens[outOffset + at - 1]]) {
        tokens[outOffset + at] = tokens[outOffset + at - 1];
        at--;
      }
      tokens[outOffset + at] = v;
      filled = Math.min(filled + 1, k);
    }
    for (int r = 0; r < k; r++) {
      probs[outOffset + r] = (float) (Math.exp(logits[offset + tokens[outOffset + r]] - max) / sum);
    }
  }
}
