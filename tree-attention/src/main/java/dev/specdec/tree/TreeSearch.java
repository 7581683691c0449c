package dev.specdec.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Medusa paper's tree construction (Cai et al. 2024, section 3.3.3): given, for each head h and
 * rank r, the probability {@code a[h][r]} that the true token at draft depth h + 1 is exactly the
 * rank-r candidate, and assuming heads are independent, a node with rank path (r1, ..., rd) is
 * accepted with probability {@code a[0][r1] * ... * a[d-1][rd]}, and the expected number of
 * accepted drafts of a tree is the sum of that over its nodes (at most one child of a node can be
 * the true token, so the accepted nodes are exactly one root path). Adding nodes one at a time,
 * always the one of highest probability among those whose parent is already in the tree, maximizes
 * that sum for every node budget, because a node's probability never exceeds its parent's.
 */
public final class TreeSearch {
  private TreeSearch() {}

  /**
   * The tree of {@code budget} drafts (root excluded) that maximizes the expected accepted length.
   * Ties go to the shallower node, then to the smaller rank path.
   *
   * @param accuracies {@code [heads][ranks]}: probability that the rank-r candidate of head h is
   *     the true token; each in [0, 1], each head's sum at most 1 (the ranks are exclusive events)
   * @param budget drafts in the tree, {@code >= 1}; the tree stops earlier when no node with a
   *     positive probability is left
   * @throws IllegalArgumentException when the accuracies are not as described or budget is < 1
   */
  public static TreeShape maximizeExpectedLength(double[][] accuracies, int budget) {
    validate(accuracies);
    if (budget < 1) {
      throw new IllegalArgumentException("tree budget must be >= 1 draft node, was " + budget);
    }
    List<int[]> chosen = new ArrayList<>();
    List<Double> value = new ArrayList<>();
    chosen.add(new int[0]);
    value.add(1.0);
    while (chosen.size() <= budget) {
      int[] best = null;
      double bestValue = 0;
      for (int i = 0; i < chosen.size(); i++) {
        int[] parent = chosen.get(i);
        if (parent.length >= accuracies.length) {
          continue;
        }
        double[] head = accuracies[parent.length];
        for (int r = 0; r < head.length; r++) {
          int[] child = Arrays.copyOf(parent, parent.length + 1);
          child[parent.length] = r;
          double v = value.get(i) * head[r];
          if (v <= 0 || contains(chosen, child)) {
            continue;
          }
          if (best == null || v > bestValue || (v == bestValue && before(child, best))) {
            best = child;
            bestValue = v;
          }
        }
      }
      if (best == null) {
        break;
      }
      chosen.add(best);
      value.add(bestValue);
    }
    return TreeShape.of(chosen.subList(1, chosen.size()));
  }

  /**
   * The expected number of accepted drafts of {@code shape} under the independence model above: the
   * sum over its nodes of the product of their ranks' accuracies (0 for a node deeper than the
   * heads or of a rank beyond the measured ones). The mean accepted length tau is one more.
   */
  public static double expectedAcceptedDrafts(TreeShape shape, double[][] accuracies) {
    validate(accuracies);
    double sum = 0;
    double[] value = new double[shape.size()];
    value[0] = 1;
    for (int i = 1; i < shape.size(); i++) {
      int d = shape.depth(i) - 1;
      int r = shape.rank(i);
      double a = d < accuracies.length && r < accuracies[d].length ? accuracies[d][r] : 0;
      value[i] = value[shape.parent(i)] * a;
      sum += value[i];
    }
    return sum;
  }

  /** Checks the accuracy matrix; see {@link #maximizeExpectedLength}. */
  static void validate(double[][] accuracies) {
    if (accuracies.length == 0) {
      throw new IllegalArgumentException("accuracies need at least one head, found none");
    }
    for (int h = 0; h < accuracies.length; h++) {
      if (accuracies[h].length == 0) {
        throw new IllegalArgumentException("accuracies of head " + h + " list no rank");
      }
      double sum = 0;
      for (int r = 0; r < accuracies[h].length; r++) {
        double a = accuracies[h][r];
        if (!(a >= 0 && a <= 1)) {
          throw new IllegalArgumentException(
              "accuracy of head " + h + " rank " + r + " must be in [0, 1], was " + a);
        }
        sum += a;
      }
      if (sum > 1 + 1e-6) {
        throw new IllegalArgumentException(
            "accuracies of head "
                + h
                + " sum to "
                + sum
                + " > 1: give per-rank accuracies (the true token is exactly rank r), not"
                + " cumulative top-k accuracies");
      }
    }
  }

  private static boolean contains(List<int[]> paths, int[] path) {
    for (int[] p : paths) {
      if (Arrays.equals(p, path)) {
        return true;
      }
    }
    return false;
  }

  private static boolean before(int[] a, int[] b) {
    return a.length != b.length ? a.length < b.length : Arrays.compare(a, b) < 0;
  }
}
