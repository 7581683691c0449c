package dev.specdec.verification;

import dev.specdec.drafting.Proposal;
import dev.specdec.tree.TokenTree;

/**
 * A proposal cut down to some of its nodes (a subtree holding the root and every kept node's
 * parent), and the way back from a path of the cut tree to the original nodes; how the decoder
 * verifies a pruned tree or a first path while the drafter keeps its own node numbering.
 */
final class SubTree {
  private SubTree() {}

  /**
   * The tree of {@code nodes} (strictly increasing, starting with the root 0, each node's parent
   * among them), with each node's q and confidence carried over.
   *
   * @throws IllegalArgumentException when {@code nodes} is not such a subtree
   */
  static Proposal reduce(Proposal proposal, int[] nodes) {
    TokenTree tree = proposal.tree();
    int[] index = new int[tree.size()];
    java.util.Arrays.fill(index, -1);
    int[] tokens = new int[nodes.length];
    int[] parents = new int[nodes.length];
    for (int k = 0; k < nodes.length; k++) {
      int node = nodes[k];
      if ((k == 0 && node != 0) || (k > 0 && node <= nodes[k - 1])) {
        throw new IllegalArgumentException(
            "kept nodes must start at the root and increase: " + java.util.Arrays.toString(nodes));
      }
      index[node] = k;
      tokens[k] = tree.token(node);
      parents[k] = k == 0 ? -1 : index[tree.parent(node)];
      if (k > 0 && parents[k] < 0) {
        throw new IllegalArgumentException(
            "kept node " + node + " lacks its parent " + tree.parent(node));
      }
    }
    return new Proposal(
        TokenTree.of(tokens, parents),
        node -> proposal.draftDistribution(nodes[node]),
        node -> proposal.confidenceOf(nodes[node]));
  }

  /** Maps a path of the cut tree (indices into {@code nodes}) back to the original nodes. */
  static int[] original(int[] path, int[] nodes) {
    int[] out = new int[path.length];
    for (int k = 0; k < out.length; k++) {
      out[k] = nodes[path[k]];
    }
    return out;
  }
}
