package dev.specdec.verification;

/**
 * Turns a drafter's stated confidence in a node into an estimate of the probability that the target
 * accepts the node given that it accepted its parent, learned online from the steps verified so far
 * (per depth, and per confidence bucket within a depth).
 *
 * <p>Two levels of shrinkage keep few observations from swinging the estimate: per depth, the ratio
 * of accepted nodes to the sum of the confidences of the nodes tried (prior: one node at ratio 1);
 * per bucket of ten, the bucket's own acceptance rate pulled towards the depth's ratio times the
 * confidence with the weight of {@link #BUCKET_PRIOR} nodes. A node is <em>tried</em> when its
 * parent was accepted. Older observations fade by {@link #DECAY} per step, so the estimate follows
 * the text as it changes.
 */
final class AcceptanceCalibration {
  /** Depths beyond this share the last depth's statistics. */
  static final int DEPTHS = 16;

  static final int BUCKETS = 10;

  /** Pseudo-observations that pull a bucket towards its depth's calibrated confidence. */
  static final double BUCKET_PRIOR = 4;

  /** Weight kept by older observations per observed step. */
  static final double DECAY = 0.98;

  private final double[] accepted = new double[DEPTHS]; // per depth
  private final double[] expected = new double[DEPTHS]; // per depth: sum of confidences tried
  private final double[][] bucketTried = new double[DEPTHS][BUCKETS];
  private final double[][] bucketAccepted = new double[DEPTHS][BUCKETS];

  /**
   * The estimated conditional acceptance of a node at {@code depth} (>= 1) with {@code confidence}.
   */
  double conditional(int depth, float confidence) {
    int d = index(depth);
    double c = clamp(confidence);
    double ratio = (accepted[d] + 1) / (expected[d] + 1);
    double base = Math.min(1, ratio * c);
    int b = bucket(c);
    return (bucketAccepted[d][b] + BUCKET_PRIOR * base) / (bucketTried[d][b] + BUCKET_PRIOR);
  }

  /** Fades older observations; call once per verified step, before its observations. */
  void decay() {
    for (int d = 0; d < DEPTHS; d++) {
      accepted[d] *= DECAY;
      expected[d] *= DECAY;
      for (int b = 0; b < BUCKETS; b++) {
        bucketTried[d][b] *= DECAY;
        bucketAccepted[d][b] *= DECAY;
      }
    }
  }

  /**
   * A node at {@code depth} with {@code confidence} was tried; {@code wasAccepted} by the target.
   */
  void observe(int depth, float confidence, boolean wasAccepted) {
    int d = index(depth);
    double c = clamp(confidence);
    int b = bucket(c);
    expected[d] += c;
    bucketTried[d][b]++;
    if (wasAccepted) {
      accepted[d]++;
      bucketAccepted[d][b]++;
    }
  }

  private static int index(int depth) {
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be >= 1, was " + depth);
    }
    return Math.min(depth, DEPTHS) - 1;
  }

  private static double clamp(float confidence) {
    return Float.isNaN(confidence) ? 0 : Math.max(0, Math.min(1, confidence));
  }

  private static int bucket(double c) {
    return Math.min(BUCKETS - 1, (int) (c * BUCKETS));
  }
}
