package dev.specdec.tree;

import java.util.ArrayList;
import java.util.Arrays;
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

  private static GrownTree growDynamic(
      int root, TreeSpec.Dynamic spec, int maxDrafts, ChildSource src) {
    int budget = Math.min(spec.budget(), maxDrafts);
    int maxDepth = Math.min(spec.depth(), budget);
    int k = spec.topk();
    int perLevel = Math.min(k, budget); // nodes expanded per level below the root
    // Candidates in generation order as parallel arrays; candidate 0 stands for the root.
    int cap = 1 + k + (maxDepth - 1) * perLevel * k;
    int[] token = new int[cap];
    int[] parent = new int[cap];
    int[] depth = new int[cap];
    int[] run = new int[cap]; // index in the run tree, -1 when not expanded
    float[] value = new float[cap];
    token[0] = root;
    parent[0] = -1;
    value[0] = 1f;
    int count = 1;
    // The run tree: the root and every expanded candidate, in expansion order.
    int[] runTokens = new int[1 + (maxDepth - 1) * perLevel];
    int[] runParents = new int[runTokens.length];
    runTokens[0] = root;
    runParents[0] = -1;
    int runSize = 1;
    int[] level = {0};
    TokenTree lastRun = TokenTree.rootOnly(root);
    for (int d = 0; d < maxDepth; d++) {
      lastRun = TokenTree.of(Arrays.copyOf(runTokens, runSize), Arrays.copyOf(runParents, runSize));
      int[] expandRun = new int[level.length];
      for (int j = 0; j < level.length; j++) {
        expandRun[j] = run[level[j]];
      }
      int[] candTokens = new int[level.length * k];
      float[] candProbs = new float[level.length * k];
      src.expand(lastRun, expandRun, k, candTokens, candProbs);
      checkCandidates(candTokens, candProbs, level.length, k);
      int firstNew = count;
      for (int j = 0; j < level.length; j++) {
        for (int r = 0; r < k; r++) {
          token[count] = candTokens[j * k + r];
          parent[count] = level[j];
          depth[count] = d + 1;
          value[count] = Math.max(0f, value[level[j]] * candProbs[j * k + r]);
          run[count] = -1;
          count++;
        }
      }
      if (d + 1 == maxDepth) {
        break;
      }
      // Expand the most valuable candidates of the new level.
      long[] keys = new long[count - firstNew];
      for (int c = firstNew; c < count; c++) {
        keys[c - firstNew] = rankKey(value[c], c);
      }
      Arrays.sort(keys);
      level = new int[Math.min(perLevel, keys.length)];
      for (int j = 0; j < level.length; j++) {
        int c = (int) keys[j];
        level[j] = c;
        run[c] = runSize;
        runTokens[runSize] = token[c];
        runParents[runSize] = run[parent[c]];
        runSize++;
      }
    }
    // Rerank: the budget best candidates overall; a parent always ranks before its children.
    long[] keys = new long[count - 1];
    for (int c = 1; c < count; c++) {
      keys[c - 1] = rankKey(value[c], c);
    }
    Arrays.sort(keys);
    boolean[] chosen = new boolean[count];
    chosen[0] = true;
    int picked = 0;
    for (int i = 0; i < keys.length && picked < budget; i++) {
      int c = (int) keys[i];
      if (chosen[parent[c]]) {
        chosen[c] = true;
        picked++;
      }
    }
    // Node order: by depth, and by rank within a depth (parents precede children).
    int n = picked + 1;
    int[] index = new int[count];
    Arrays.fill(index, -1);
    index[0] = 0;
    int[] tokens = new int[n];
    int[] parents = new int[n];
    float[] values = new float[n];
    int[] runIndex = new int[n];
    tokens[0] = root;
    parents[0] = -1;
    values[0] = 1f;
    int next = 1;
    for (int d = 1; d <= maxDepth; d++) {
      for (long key : keys) {
        int c = (int) key;
        if (chosen[c] && depth[c] == d) {
          index[c] = next;
          tokens[next] = token[c];
          parents[next] = index[parent[c]];
          values[next] = value[c];
          runIndex[next] = run[c];
          next++;
        }
      }
    }
    return new GrownTree(TokenTree.of(tokens, parents), values, lastRun, runIndex);
  }

  /**
   * Sorts ascending as value descending, then generation order ascending: the high half holds the
   * value's bits inverted (non-negative floats order as their bits do), the low half the order.
   */
  private static long rankKey(float value, int order) {
    return ((long) (Integer.MAX_VALUE - Float.floatToIntBits(value)) << 32) | order;
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
