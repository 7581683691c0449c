package dev.specdec.tree;

import java.util.Objects;

/**
 * A tree grown by {@link TreeGrower}, with what the grower ran to get it.
 *
 * @param tree the proposal: nodes by depth, parents first
 * @param values per node, the product of the draft probabilities along its path (1 for the root)
 * @param lastRun the last tree passed to the {@link ChildSource}, or the root alone when none was
 * @param lastRunIndex per node of {@code tree}, its index in {@code lastRun}, or -1 when it was not
 *     in it (the root is node 0 of both)
 */
public record GrownTree(TokenTree tree, float[] values, TokenTree lastRun, int[] lastRunIndex) {

  /** Validates lengths and copies the arrays. */
  public GrownTree {
    Objects.requireNonNull(tree, "tree");
    Objects.requireNonNull(lastRun, "lastRun");
    values = values.clone();
    lastRunIndex = lastRunIndex.clone();
    if (values.length != tree.size() || lastRunIndex.length != tree.size()) {
      throw new IllegalArgumentException(
          "values and lastRunIndex need one entry per node ("
              + tree.size()
              + "), had "
              + values.length
              + " and "
              + lastRunIndex.length);
    }
  }

  /** Per node, the product of the draft probabilities along its path (a copy). */
  @Override
  public float[] values() {
    return values.clone();
  }

  /** Per node, its index in {@link #lastRun}, or -1 (a copy). */
  @Override
  public int[] lastRunIndex() {
    return lastRunIndex.clone();
  }

  /**
   * The longest prefix of a root-to-node path of {@link #tree} whose nodes were all in {@link
   * #lastRun}, as indices of {@code lastRun}: what a drafter that ran {@code lastRun} can commit.
   */
  public int[] runPrefix(int[] path) {
    int n = 0;
    while (n < path.length && lastRunIndex[path[n]] >= 0) {
      n++;
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = lastRunIndex[path[i]];
    }
    return out;
  }
}
