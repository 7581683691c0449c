package dev.specdec.tree;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * Flattens a {@link TokenTree} into the three inputs of one verification pass.
 *
 * <p>For a tree of T nodes over P cached positions: {@code input_ids} [T] are the node tokens in
 * node order; {@code position_ids} [T] are {@code P + depth(node)}, so siblings share a position;
 * the additive mask [T, P + T] lets every node attend to all P cached positions and to its own
 * ancestors (itself included) among the T new ones, and blocks the rest with {@link #BLOCKED}.
 *
 * <p>Every method writes into caller-owned buffers starting at their current position and leaves
 * the position unchanged, so a decode loop can reuse one set of direct buffers for every step.
 */
public final class TreeAttention {
  /** Additive mask value for a blocked (query, key) pair. */
  public static final float BLOCKED = -1e9f;

  private TreeAttention() {}

  /** Writes the T node tokens. */
  public static void writeInputIds(TokenTree tree, LongBuffer out) {
    int base = out.position();
    for (int i = 0; i < tree.size(); i++) {
      out.put(base + i, tree.token(i));
    }
  }

  /** Writes {@code past + depth(node)} for each of the T nodes. */
  public static void writePositionIds(TokenTree tree, int past, LongBuffer out) {
    requireNonNegativePast(past);
    int base = out.position();
    for (int i = 0; i < tree.size(); i++) {
      out.put(base + i, (long) past + tree.depth(i));
    }
  }

  /**
   * Writes the additive ancestor mask, row-major [T, past + T].
   *
   * @param tree the tree to verify
   * @param past number of cached positions every node attends to
   * @param out receives {@code T * (past + T)} floats from its position on
   */
  public static void writeMask(TokenTree tree, int past, FloatBuffer out) {
    requireNonNegativePast(past);
    int t = tree.size();
    int width = past + t;
    int base = out.position();
    for (int row = 0; row < t; row++) {
      int rowStart = base + row * width;
      for (int col = 0; col < past; col++) {
        out.put(rowStart + col, 0f);
      }
      for (int col = 0; col < t; col++) {
        out.put(rowStart + past + col, BLOCKED);
      }
      // Walk up the ancestors: depth+1 writes instead of a T-wide ancestor test per row.
      for (int n = row; n >= 0; n = tree.parent(n)) {
        out.put(rowStart + past + n, 0f);
      }
    }
  }

  /** Number of mask floats for a tree of {@code t} nodes over {@code past} cached positions. */
  public static int maskSize(int t, int past) {
    return t * (past + t);
  }

  private static void requireNonNegativePast(int past) {
    if (past < 0) {
      throw new IllegalArgumentException("past must be >= 0, was " + past);
    }
  }
}
