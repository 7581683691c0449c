package dev.specdec.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * The shape of a static token tree in Medusa's choice-list format: each node is the path of top-k
 * ranks that reaches it from the root ({@code [0]} = the most likely first token, {@code [0, 1]} =
 * the second most likely token after it, ...). Filling a shape with a drafter's top-k tokens gives
 * a {@link TokenTree}.
 *
 * <p>Nodes are ordered by depth, then by their rank paths, so every parent precedes its children;
 * node 0 is the root (the empty path).
 */
public final class TreeShape {
  private final int[][] paths; // (nodes) rank path per node; the root's is empty
  private final int[] parents; // (nodes)
  private final int[] ranks; // (nodes) the last rank of each path, -1 for the root
  private final int maxDepth;

  private TreeShape(int[][] paths, int[] parents) {
    this.paths = paths;
    this.parents = parents;
    this.ranks = new int[paths.length];
    int deepest = 0;
    for (int i = 0; i < paths.length; i++) {
      ranks[i] = paths[i].length == 0 ? -1 : paths[i][paths[i].length - 1];
      deepest = Math.max(deepest, paths[i].length);
    }
    this.maxDepth = deepest;
  }

  /**
   * A shape from rank paths (the root is implied and must not be listed).
   *
   * @throws IllegalArgumentException when a path is empty, holds a negative rank, is listed twice,
   *     or lacks its parent path
   */
  public static TreeShape of(List<int[]> choices) {
    List<int[]> sorted = new ArrayList<>(choices.size() + 1);
    sorted.add(new int[0]);
    for (int[] c : choices) {
      if (c.length == 0) {
        throw new IllegalArgumentException("a choice path must not be empty (the root is implied)");
      }
      for (int rank : c) {
        if (rank < 0) {
          throw new IllegalArgumentException(
              "choice " + Arrays.toString(c) + " has a negative rank " + rank);
        }
      }
      sorted.add(c.clone());
    }
    sorted.sort(Comparator.<int[]>comparingInt(p -> p.length).thenComparing(Arrays::compare));
    Map<String, Integer> index = new HashMap<>();
    int[] parents = new int[sorted.size()];
    for (int i = 0; i < sorted.size(); i++) {
      int[] path = sorted.get(i);
      String key = Arrays.toString(path);
      if (index.putIfAbsent(key, i) != null) {
        throw new IllegalArgumentException("choice " + key + " is listed twice");
      }
      if (i == 0) {
        parents[i] = -1;
        continue;
      }
      String parentKey = Arrays.toString(Arrays.copyOf(path, path.length - 1));
      Integer parent = index.get(parentKey);
      if (parent == null) {
        throw new IllegalArgumentException(
            "choice " + key + " has no parent: add " + parentKey + " to the tree");
      }
      parents[i] = parent;
    }
    return new TreeShape(sorted.toArray(int[][]::new), parents);
  }

  /** A chain of {@code length} drafts, each the top-1 after the previous: [0], [0,0], ... */
  public static TreeShape chain(int length) {
    List<int[]> choices = new ArrayList<>();
    for (int d = 1; d <= length; d++) {
      choices.add(new int[d]);
    }
    return of(choices);
  }

  /** Nodes, root included. */
  public int size() {
    return paths.length;
  }

  /** Parent of a node, -1 for the root. */
  public int parent(int node) {
    return parents[node];
  }

  /** Depth of a node: the length of its rank path. */
  public int depth(int node) {
    return paths[node].length;
  }

  /** The rank of a node among its parent's candidates (0 = most likely), -1 for the root. */
  public int rank(int node) {
    return ranks[node];
  }

  /** Depth of the deepest node. */
  public int maxDepth() {
    return maxDepth;
  }

  /** The largest rank any node uses plus one: how many candidates per position a drafter needs. */
  public int maxTopK() {
    int k = 0;
    for (int r : ranks) {
      k = Math.max(k, r + 1);
    }
    return k;
  }

  /** The rank path of a node (a copy). */
  public int[] path(int node) {
    return paths[node].clone();
  }

  /**
   * Fills the shape with tokens.
   *
   * @param root the root token
   * @param tokenOf the token for a node given its index (called for nodes 1..size-1 in order)
   */
  public TokenTree fill(int root, IntUnaryOperator tokenOf) {
    int[] tokens = new int[paths.length];
    tokens[0] = root;
    for (int i = 1; i < paths.length; i++) {
      tokens[i] = tokenOf.applyAsInt(i);
    }
    return TokenTree.of(tokens, parents);
  }

  /** Leaves (nodes without children) in node order. */
  public int[] leaves() {
    boolean[] inner = new boolean[paths.length];
    for (int i = 1; i < paths.length; i++) {
      inner[parents[i]] = true;
    }
    int count = 0;
    for (boolean b : inner) {
      count += b ? 0 : 1;
    }
    int[] out = new int[count];
    for (int i = 0, k = 0; i < paths.length; i++) {
      if (!inner[i]) {
        out[k++] = i;
      }
    }
    return out;
  }

  /**
   * The node indices of every root-to-leaf path, root first, one row per leaf in node order. Rows
   * differ in length (a leaf's depth plus one); together they cover every node.
   */
  public int[][] leafPaths() {
    int[] leaves = leaves();
    int[][] out = new int[leaves.length][];
    for (int l = 0; l < leaves.length; l++) {
      int[] path = new int[paths[leaves[l]].length + 1];
      for (int n = leaves[l], k = path.length - 1; n >= 0; n = parents[n], k--) {
        path[k] = n;
      }
      out[l] = path;
    }
    return out;
  }

  /**
   * A readable rendering, one node per line, indented by depth: {@code #index [rank path]}; with a
   * summary line first (nodes, depth, leaves, most candidates per position).
   */
  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("nodes ")
        .append(paths.length - 1)
        .append(" (+ root), depth ")
        .append(maxDepth)
        .append(", leaves ")
        .append(leaves().length)
        .append(", top-k ")
        .append(maxTopK())
        .append('\n');
    renderSubtree(0, sb);
    return sb.toString();
  }

  private void renderSubtree(int node, StringBuilder sb) {
    sb.append("  ".repeat(paths[node].length));
    if (node == 0) {
      sb.append("root\n");
    } else {
      sb.append('#')
          .append(node)
          .append(" rank ")
          .append(ranks[node])
          .append(' ')
          .append(Arrays.toString(paths[node]))
          .append('\n');
    }
    for (int c = node + 1; c < paths.length; c++) {
      if (parents[c] == node) {
        renderSubtree(c, sb);
      }
    }
  }

  /** All rank paths in node order, root excluded (copies): the input {@link #of} takes back. */
  public List<int[]> choices() {
    List<int[]> out = new ArrayList<>(paths.length - 1);
    for (int i = 1; i < paths.length; i++) {
      out.add(paths[i].clone());
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TreeShape s && Arrays.deepEquals(paths, s.paths);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(paths);
  }

  @Override
  public String toString() {
    return "TreeShape" + toChoiceList();
  }

  /** The shape as a choice list: {@code [[0], [1], [0, 0], ...]}, in node order. */
  public String toChoiceList() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 1; i < paths.length; i++) {
      if (i > 1) {
        sb.append(", ");
      }
      sb.append(Arrays.toString(paths[i]));
    }
    return sb.append(']').toString();
  }
}
