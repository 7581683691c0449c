package dev.specdec.tree;

/**
 * Where a {@link TreeGrower} gets the candidates after a node: a draft model's top-k, or a Medusa
 * head's.
 */
public interface ChildSource {

  /**
   * Writes the best {@code k} candidate tokens after each of {@code nodes}, best first, and their
   * draft probabilities.
   *
   * @param tree the tree grown so far that the source may run: the root and every node expanded
   *     before, ancestors of {@code nodes} included, in an order where parents come first
   * @param nodes nodes of {@code tree} to expand, all at the same depth
   * @param k candidates per node; the tokens of one node must be distinct
   * @param tokens receives {@code nodes.length * k} tokens, node-major
   * @param probs receives their probabilities in [0, 1], node-major
   */
  void expand(TokenTree tree, int[] nodes, int k, int[] tokens, float[] probs);
}
