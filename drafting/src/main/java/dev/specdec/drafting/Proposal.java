package dev.specdec.drafting;

import dev.specdec.tree.TokenTree;

/**
 * A drafter's proposal for one verification pass: a token tree, for each inner node the
 * distribution its children were drawn from, and for each node the drafter's confidence in it.
 *
 * <p>Distributions and confidences are views of buffers the drafter reuses: valid until its next
 * {@code propose}.
 *
 * @param tree the proposed tree; its root is the last context token
 * @param draftDistributions source of q for each node's children
 * @param confidence the drafter's conditional acceptance belief per node, which adaptive budgets
 *     rank and prune by
 */
public record Proposal(
    TokenTree tree, DraftDistributions draftDistributions, DraftConfidence confidence) {

  /** Validates presence. */
  public Proposal {
    java.util.Objects.requireNonNull(tree, "tree");
    java.util.Objects.requireNonNull(draftDistributions, "draftDistributions");
    java.util.Objects.requireNonNull(confidence, "confidence");
  }

  /** A proposal whose drafter states no confidence ({@link DraftConfidence#unknown()}). */
  public Proposal(TokenTree tree, DraftDistributions draftDistributions) {
    this(tree, draftDistributions, DraftConfidence.unknown());
  }

  /** A proposal of the root alone: the pass drafts nothing (plain decoding). */
  public static Proposal rootOnly(int root) {
    return new Proposal(TokenTree.rootOnly(root), DraftDistributions.deterministic());
  }

  /** A proposal whose drafts were chosen deterministically (q is a point mass at each draft). */
  public static Proposal deterministic(TokenTree tree) {
    return new Proposal(tree, DraftDistributions.deterministic());
  }

  /** A deterministic proposal with the drafter's confidence per node. */
  public static Proposal deterministic(TokenTree tree, DraftConfidence confidence) {
    return new Proposal(tree, DraftDistributions.deterministic(), confidence);
  }

  /** The drafter's confidence in {@code node} (see {@link DraftConfidence}). */
  public float confidenceOf(int node) {
    return confidence.of(node);
  }

  /**
   * The distribution q the children of {@code node} were sampled from, or {@code null} when they
   * were chosen deterministically: each child's q is then a point mass at its own token.
   */
  public float[] draftDistribution(int node) {
    return draftDistributions.of(node);
  }
}
