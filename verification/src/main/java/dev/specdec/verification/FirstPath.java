package dev.specdec.verification;

import dev.specdec.drafting.Proposal;
import dev.specdec.tree.TokenTree;

/**
 * Reduces a drafter's tree to one chain for a target that cannot take tree masks ({@link
 * dev.specdec.model.CausalLm#supportsTreeMasks()} false, e.g. an Optimum-layout model).
 *
 * <p>The chain follows the first child of each node from the root: drafters put their most likely
 * continuation first (a draft model's chain, prompt lookup's most recent match, the top-1 of Medusa
 * heads), so this keeps the draft most likely to be accepted. The alternative, batch expansion (one
 * batch row per root-to-leaf path), would copy the whole past cache into every row on each pass
 * with Optimum's dense head-major cache, and on this CPU verifying more than about 16 tokens per
 * pass stops being cheap (docs/importing.md). Exactness is kept: for deterministic drafts q is a
 * point mass, and a sampled first child is a draw from its parent's q, so rejection sampling on the
 * chain preserves the target distribution.
 */
final class FirstPath {
  private FirstPath() {}

  /** Node indices of the first root-to-leaf path of {@code tree}, starting with the root 0. */
  static int[] nodes(TokenTree tree) {
    int length = 1;
    for (int node = tree.firstChild(0); node >= 0; node = tree.firstChild(node)) {
      length++;
    }
    int[] nodes = new int[length];
    for (int k = 1; k < length; k++) {
      nodes[k] = tree.firstChild(nodes[k - 1]);
    }
    return nodes;
  }

  /** The chain of {@code nodes} of the proposal's tree, with each node's q carried over. */
  static Proposal reduce(Proposal proposal, int[] nodes) {
    return SubTree.reduce(proposal, nodes);
  }

  /** Maps a path of the chain (indices 0..n-1) back to node indices of the original tree. */
  static int[] original(int[] chainPath, int[] nodes) {
    return SubTree.original(chainPath, nodes);
  }
}
