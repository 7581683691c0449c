package dev.specdec.tree;

import java.util.Arrays;

/**
 * An immutable tree of tokens scored in one verification pass.
 *
 * <p>Node 0 is the root: the last token of the context, which the model has not run yet. Every
 * other node is a draft token; its parent always has a smaller index (topological order), so the
 * flattened tree is a valid causal sequence when it is a chain. A chain of k drafts is the
 * degenerate tree of k + 1 nodes where {@code parent(i) == i - 1}.
 *
 * <p>Children keep the order in which they were added: acceptance rules that try siblings in turn
 * (greedy, recursive rejection sampling) visit them in that order.
 */
public final class TokenTree {
  private final int[] tokens; // (nodes)
  private final int[] parents; // (nodes), -1 for the root
  private final int[] depths; // (nodes), 0 for the root
  private final int[] firstChild; // (nodes), -1 when a leaf
  private final int[] nextSibling; // (nodes), -1 for the last child
  private final int maxDepth;
  private final boolean chain;

  private TokenTree(int[] tokens, int[] parents) {
    int n = tokens.length;
    this.tokens = tokens;
    this.parents = parents;
    this.depths = new int[n];
    this.firstChild = new int[n];
    this.nextSibling = new int[n];
    Arrays.fill(firstChild, -1);
    Arrays.fill(nextSibling, -1);
    int[] lastChild = new int[n];
    Arrays.fill(lastChild, -1);
    int deepest = 0;
    boolean isChain = true;
    for (int i = 1; i < n; i++) {
      int p = parents[i];
      depths[i] = depths[p] + 1;
      deepest = Math.max(deepest, depths[i]);
      isChain &= p == i - 1;
      if (lastChild[p] < 0) {
        firstChild[p] = i;
      } else {
        nextSibling[lastChild[p]] = i;
      }
      lastChild[p] = i;
    }
    this.maxDepth = deepest;
    this.chain = isChain;
  }

  /**
   * A chain: the root followed by drafts in order.
   *
   * @param root the last context token
   * @param drafts draft tokens, possibly none
   */
  public static TokenTree chain(int root, int... drafts) {
    int[] tokens = new int[drafts.length + 1];
    tokens[0] = root;
    System.arraycopy(drafts, 0, tokens, 1, drafts.length);
    return chainOf(tokens);
  }

  /** A chain whose first token is the root: {@code tokens[0]} is the root, the rest drafts. */
  public static TokenTree chainOf(int[] tokens) {
    if (tokens.length == 0) {
      throw new IllegalArgumentException("a token tree needs at least its root: tokens is empty");
    }
    int[] parents = new int[tokens.length];
    for (int i = 0; i < parents.length; i++) {
      parents[i] = i - 1;
    }
    return of(tokens, parents);
  }

  /** Only the root: a pass that drafts nothing, as plain decoding does. */
  public static TokenTree rootOnly(int root) {
    return of(new int[] {root}, new int[] {-1});
  }

  /**
   * A tree from parallel arrays (copied).
   *
   * @param tokens token id per node; node 0 is the root
   * @param parents parent index per node: {@code -1} for node 0, otherwise in {@code [0, i)}
   * @throws IllegalArgumentException when the arrays differ in length, are empty, hold a negative
   *     token, or a parent index breaks the topological order
   */
  public static TokenTree of(int[] tokens, int[] parents) {
    if (tokens.length == 0) {
      throw new IllegalArgumentException("a token tree needs at least its root: tokens is empty");
    }
    if (tokens.length != parents.length) {
      throw new IllegalArgumentException(
          "tokens and parents differ in length: " + tokens.length + " vs " + parents.length);
    }
    if (parents[0] != -1) {
      throw new IllegalArgumentException(
          "node 0 is the root: parents[0] must be -1, was " + parents[0]);
    }
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] < 0) {
        throw new IllegalArgumentException("token of node " + i + " is negative: " + tokens[i]);
      }
      if (i > 0 && (parents[i] < 0 || parents[i] >= i)) {
        throw new IllegalArgumentException(
            "parent of node " + i + " must be in [0, " + i + "), was " + parents[i]);
      }
    }
    return new TokenTree(tokens.clone(), parents.clone());
  }

  /** Number of nodes, root included: the T of the verification pass. */
  public int size() {
    return tokens.length;
  }

  /** Number of draft tokens: {@code size() - 1}. */
  public int draftCount() {
    return tokens.length - 1;
  }

  /** Token id at a node. */
  public int token(int node) {
    return tokens[node];
  }

  /** Parent of a node, {@code -1} for the root. */
  public int parent(int node) {
    return parents[node];
  }

  /** Depth of a node: 0 for the root, 1 for the first draft level. */
  public int depth(int node) {
    return depths[node];
  }

  /** Depth of the deepest node. */
  public int maxDepth() {
    return maxDepth;
  }

  /** True when every node but the root has the previous node as parent. */
  public boolean isChain() {
    return chain;
  }

  /** First child of a node in insertion order, or {@code -1} for a leaf. */
  public int firstChild(int node) {
    return firstChild[node];
  }

  /** Next sibling of a node in insertion order, or {@code -1} for the last child. */
  public int nextSibling(int node) {
    return nextSibling[node];
  }

  /** Children of a node in insertion order (a new array). */
  public int[] children(int node) {
    int count = 0;
    for (int c = firstChild[node]; c >= 0; c = nextSibling[c]) {
      count++;
    }
    int[] out = new int[count];
    int k = 0;
    for (int c = firstChild[node]; c >= 0; c = nextSibling[c]) {
      out[k++] = c;
    }
    return out;
  }

  /** The child of {@code node} that carries {@code token}, or {@code -1}; the first one wins. */
  public int childWithToken(int node, int token) {
    for (int c = firstChild[node]; c >= 0; c = nextSibling[c]) {
      if (tokens[c] == token) {
        return c;
      }
    }
    return -1;
  }

  /** True when {@code ancestor} is on the root-to-node path of {@code node} (a node is its own). */
  public boolean isAncestor(int ancestor, int node) {
    int n = node;
    while (n > ancestor) {
      n = parents[n];
    }
    return n == ancestor;
  }

  /** Node indices on the path from the root to {@code node}, both included, root first. */
  public int[] pathTo(int node) {
    int[] path = new int[depths[node] + 1];
    for (int n = node, k = path.length - 1; n >= 0; n = parents[n], k--) {
      path[k] = n;
    }
    return path;
  }

  /** Tokens along the path from the root to {@code node}, both included. */
  public int[] tokensTo(int node) {
    int[] path = pathTo(node);
    int[] out = new int[path.length];
    for (int i = 0; i < path.length; i++) {
      out[i] = tokens[path[i]];
    }
    return out;
  }

  /** Leaves in index order; for each, {@link #pathTo} gives one root-to-leaf path. */
  public int[] leaves() {
    int count = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (firstChild[i] < 0) {
        count++;
      }
    }
    int[] out = new int[count];
    int k = 0;
    for (int i = 0; i < tokens.length; i++) {
      if (firstChild[i] < 0) {
        out[k++] = i;
      }
    }
    return out;
  }

  /** Token ids in node order (a copy). */
  public int[] tokens() {
    return tokens.clone();
  }

  /** Parent indices in node order (a copy). */
  public int[] parents() {
    return parents.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenTree t
        && Arrays.equals(tokens, t.tokens)
        && Arrays.equals(parents, t.parents);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(parents);
  }

  @Override
  public String toString() {
    return "TokenTree[tokens="
        + Arrays.toString(tokens)
        + ", parents="
        + Arrays.toString(parents)
        + "]";
  }
}
