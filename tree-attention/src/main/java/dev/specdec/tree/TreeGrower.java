package dev.specdec.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Grows a proposal tree level by level from a {@link ChildSource}: a static shape filled with top-k
 * candidates, or a dynamic tree in the manner of EAGLE-2 (Li et al. 2024).
 *
 * <p>Dynamic trees ({@link TreeSpec.Dynamic}, budget B, depth D, top-k K). A candidate's value is
 * the product of the draft probabilities along its path. Expansion: the root's K best children are
 * the candidates of level 1; at each level d < D the K candidates of highest value are expanded,
 * each contributing its K best children to level d + 1. Reranking: the B candidates of highest
 * value over all levels form the tree (ties go to the earlier generated candidate). A child's value
 * never exceeds its parent's, and a parent is generated before its children, so the chosen set
 * holds every chosen node's parent: it is a tree.
 */
public final class TreeGrower {
  private TreeGrower() {}

  /**
   * Grows one tree.
   *
   * @param root the root token (the last context token)
   * @param spec the shape or the dynamic parameters
   * @param maxDrafts the most draft nodes this step may take (a static shape keeps its first
   *     maxDrafts nodes, which by the shape's node order are a tree); 0 gives the root alone
   * @param source the candidates
   */
  public static GrownTree grow(int root, TreeSpec spec, int maxDrafts, ChildSource source) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(source, "source");
    if (maxDrafts < 0) {
      throw new IllegalArgumentException("maxDrafts must be >= 0, was " + maxDrafts);
    }
    if (maxDrafts == 0) {
      return new GrownTree(
          TokenTree.rootOnly(root), new float[] {1f}, TokenTree.rootOnly(root), new int[] {0});
    }
    return switch (spec) {
      case TreeSpec.Static s -> growStatic(root, s.shape(), maxDrafts, source);
      case TreeSpec.Dynamic d -> growDynamic(root, d, maxDrafts, source);
    };
  }

  private static GrownTree growStatic(int root, TreeShape shape, int maxDrafts, ChildSource src) {
    int n = Math.min(shape.size(), maxDrafts + 1);
    int[] tokens = new int[n];
    int[] parents = new int[n];
    float[] values = new float[n];
    int[] maxChildRank = new int[n];
    Arrays.fill(maxChildRank, -1);
    tokens[0] = root;
    parents[0] = -1;
    values[0] = 1f;
    for (int i = 1; i < n; i++) {
      parents[i] = shape.parent(i);
      maxChildRank[parents[i]] = Math.max(maxChildRank[parents[i]], shape.rank(i));
    }
    int[] runIndex = new int[n];
    TokenTree lastRun = TokenTree.rootOnly(root);
    Arrays.fill(runIndex, -1);
    runIndex[0] = 0;
    int deepest = shape.depth(n - 1);
    for (int d = 0; d < deepest; d++) {
      // The run tree: the root and every inner node down to depth d, in node order.
      List<Integer> run = new ArrayList<>();
      List<Integer> expand = new ArrayList<>();
      int k = 0;
      for (int i = 0; i < n && shape.depth(i) <= d; i++) {
        if (maxChildRank[i] >= 0) {
          run.add(i);
          if (shape.depth(i) == d) {
            expand.add(i);
            k = Math.max(k, maxChildRank[i] + 1);
          }
        }
      }
      Arrays.fill(runIndex, -1);
      int[] runTokens = new int[run.size()];
      int[] runParents = new int[run.size()];
      for (int j = 0; j < run.size(); j++) {
        int node = run.get(j);
        runIndex[node] = j;
        runTokens[j] = tokens[node];
        runParents[j] = j == 0 ? -1 : runIndex[parents[node]];
      }
      lastRun = TokenTree.of(runTokens, runParents);
      int[] expandRun = new int[expand.size()];
      for (int j = 0; j < expandRun.length; j++) {
        expandRun[j] = runIndex[expand.get(j)];
      }
      int[] candTokens = new int[expandRun.length * k];
      float[] candProbs = new float[expandRun.length * k];
      src.expand(lastRun, expandRun, k, candTokens, candProbs);
      checkCandidates(candTokens, candProbs, expandRun.length, k);
      for (int i = 1; i < n; i++) {
        if (shape.depth(i) == d + 1) {
          int slot = expand.indexOf(parents[i]) * k + shape.rank(i);
          tokens[i] = candTokens[slot];
          values[i] = values[parents[i]] * candProbs[slot];
        }
      }
    }
    return new GrownTree(TokenTree.of(tokens, parents), values, lastRun, runIndex);
  }

  /** One candidate of a dynamic tree. */
  private record Candidate(int token, int parent, int depth, float value, int order) {}

  private static GrownTree growDynamic(
      int root, TreeSpec.Dynamic spec, int maxDrafts, ChildSource src) {
    int budget = Math.min(spec.budget(), maxDrafts);
    int maxDepth = Math.min(spec.depth(), budget);
    int k = spec.topk();
    // candidates.get(0) stands for the root; parent indices point into this list.
    List<Candidate> candidates = new ArrayList<>();
    candidates.add(new Candidate(root, -1, 0, 1f, 0));
    List<Integer> expanded = new ArrayList<>(); // candidate indices, in run-tree order
    expanded.add(0);
    int[] level = {0};
    TokenTree lastRun = TokenTree.rootOnly(root);
    for (int d = 0; d < maxDepth; d++) {
      int[] runTokens = new int[expanded.size()];
      int[] runParents = new int[expanded.size()];
      for (int j = 0; j < expanded.size(); j++) {
        Candidate c = candidates.get(expanded.get(j));
        runTokens[j] = c.token();
        runParents[j] = c.parent() < 0 ? -1 : expanded.indexOf(c.parent());
      }
      lastRun = TokenTree.of(runTokens, runParents);
      int[] expandRun = new int[level.length];
      for (int j = 0; j < level.length; j++) {
        expandRun[j] = expanded.indexOf(level[j]);
      }
      int[] candTokens = new int[level.length * k];
      float[] candProbs = new float[level.length * k];
      src.expand(lastRun, expandRun, k, candTokens, candProbs);
      checkCandidates(candTokens, candProbs, level.length, k);
      List<Integer> next = new ArrayList<>();
      for (int j = 0; j < level.length; j++) {
        Candidate parent = candidates.get(level[j]);
        for (int r = 0; r < k; r++) {
          next.add(candidates.size());
          candidates.add(
              new Candidate(
                  candTokens[j * k + r],
                  level[j],
                  d + 1,
                  parent.value() * candProbs[j * k + r],
                  candidates.size()));
        }
      }
      if (d + 1 == maxDepth) {
        break;
      }
      // Expand the K most valuable candidates of the new level (fewer when the budget is small).
      next.sort(byValue(candidates));
      level =
          next.subList(0, Math.min(next.size(), Math.min(k, budget))).stream()
              .mapToInt(Integer::intValue)
              .toArray();
      for (int c : level) {
        expanded.add(c);
      }
    }
    // Rerank: the budget best candidates overall; parents come first by value, then order.
    List<Integer> order = new ArrayList<>();
    for (int i = 1; i < candidates.size(); i++) {
      order.add(i);
    }
    order.sort(byValue(candidates));
    boolean[] chosen = new boolean[candidates.size()];
    chosen[0] = true;
    List<Integer> picked = new ArrayList<>();
    for (int c : order) {
      if (picked.size() == budget) {
        break;
      }
      if (chosen[candidates.get(c).parent()]) {
        chosen[c] = true;
        picked.add(c);
      }
    }
    picked.sort(
        Comparator.<Integer>comparingInt(c -> candidates.get(c).depth())
            .thenComparing(byValue(candidates)));
    int n = picked.size() + 1;
    int[] index = new int[candidates.size()];
    Arrays.fill(index, -1);
    index[0] = 0;
    int[] tokens = new int[n];
    int[] parents = new int[n];
    float[] values = new float[n];
    int[] runIndex = new int[n];
    tokens[0] = root;
    parents[0] = -1;
    values[0] = 1f;
    runIndex[0] = 0;
    for (int i = 1; i < n; i++) {
      Candidate c = candidates.get(picked.get(i - 1));
      index[picked.get(i - 1)] = i;
      tokens[i] = c.token();
      parents[i] = index[c.parent()];
      values[i] = c.value();
      runIndex[i] = expanded.indexOf(picked.get(i - 1)); // lastRun holds exactly `expanded`
    }
    return new GrownTree(TokenTree.of(tokens, parents), values, lastRun, runIndex);
  }

  private static Comparator<Integer> byValue(List<Candidate> candidates) {
    return Comparator.<Integer>comparingDouble(c -> -candidates.get(c).value())
        .thenComparingInt(c -> candidates.get(c).order());
  }

  private static void checkCandidates(int[] tokens, float[] probs, int nodes, int k) {
    for (int j = 0; j < nodes; j++) {
      for (int r = 0; r < k; r++) {
        float p = probs[j * k + r];
        if (!(p >= 0f && p <= 1f)) {
          throw new IllegalStateException(
              "child source gave probability " + p + ", outside [0, 1], for candidate " + r);
        }
        for (int s = 0; s < r; s++) {
          if (tokens[j * k + s] == tokens[j * k + r]) {
            throw new IllegalStateException(
                "child source gave token " + tokens[j * k + r] + " twice to one node");
          }
        }
      }
    }
  }
}
