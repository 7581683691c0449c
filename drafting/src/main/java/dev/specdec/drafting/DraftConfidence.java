package dev.specdec.drafting;

/**
 * The drafter's own belief, per node of a proposal, that the target will accept the node given that
 * it accepted the node's parent: the conditional probability an adaptive budget ranks nodes by
 * (EAGLE-2's path score is the product of these along a path).
 *
 * <p>For a draft chosen deterministically it is the drafter's probability of that token (the
 * softmax probability of a draft model's argmax, of a Medusa or MTP head's top-k candidate; a score
 * from the match length for prompt lookup). For a draft <em>sampled</em> from q it must not depend
 * on the sampled token itself, only on what was known before it was drawn (drafters give the
 * largest probability of q): a budget that keeps a sampled draft because of its own value would
 * change the distribution the draft comes from and break rejection sampling's exactness.
 *
 * <p>A view of buffers the drafter reuses, valid until its next {@code propose}, like {@link
 * DraftDistributions}.
 */
@FunctionalInterface
public interface DraftConfidence {

  /** The drafter's conditional acceptance belief for {@code node} in [0, 1]; 1 for the root. */
  float of(int node);

  /** No belief: every node scores the same, so an adaptive budget learns per depth alone. */
  static DraftConfidence unknown() {
    return node -> UNKNOWN;
  }

  /** The score of {@link #unknown()}: a neutral middle. */
  float UNKNOWN = 0.5f;

  /**
   * A confidence read from {@code conditionals} (one entry per node, the root's ignored); the array
   * is not copied, so the drafter may reuse it after the proposal's lifetime.
   */
  static DraftConfidence of(float[] conditionals) {
    return node -> node == 0 ? 1f : conditionals[node];
  }
}
