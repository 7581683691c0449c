package dev.specdec.drafting;

/**
 * Where the draft tokens of a proposal came from, per parent node.
 *
 * <p>{@link #of(int)} returns the probability vector (length V, summing to 1) that the children of
 * a node were sampled from, after the same temperature / top-k / top-p warping the target gets; or
 * {@code null} when the children were chosen deterministically (greedy drafting, lookup, Medusa
 * top-k), in which case each child's q is a point mass at its own token.
 */
@FunctionalInterface
public interface DraftDistributions {

  /** The distribution the children of {@code node} were drawn from, or {@code null}. */
  float[] of(int node);

  /** Every draft chosen deterministically. */
  static DraftDistributions deterministic() {
    return node -> null;
  }
}
