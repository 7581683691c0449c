package dev.specdec.model.testing;

import dev.specdec.model.ForwardOutput;
import dev.specdec.tree.TokenTree;
import java.util.Arrays;

/** Pass outputs and cache-path checks for plain-Java fake models. */
public final class FakeOutputs {
  private FakeOutputs() {}

  /** A pass output with the given logits rows (V = row length). */
  public static ForwardOutput output(float[]... rows) {
    return output(rows, new float[rows.length]);
  }

  /** A pass output with the given logits rows and a one-float hidden state per row. */
  public static ForwardOutput output(float[][] rows, float[] hidden) {
    return new ForwardOutput() {
      @Override
      public int rows() {
        return rows.length;
      }

      @Override
      public int vocabSize() {
        return rows[0].length;
      }

      @Override
      public int hiddenSize() {
        return 1;
      }

      @Override
      public float logit(int row, int token) {
        return rows[row][token];
      }

      @Override
      public void copyLogits(int row, float[] dst) {
        System.arraycopy(rows[row], 0, dst, 0, rows[row].length);
      }

      @Override
      public void copyHiddenState(int row, float[] dst) {
        dst[0] = hidden[row];
      }
    };
  }

  /**
   * Checks, as a fake model's {@code commit} must, that {@code nodes} is a root-to-node path of
   * {@code pending}, the tree of the last uncommitted pass ({@code null} when there is none).
   */
  public static void requirePath(TokenTree pending, int[] nodes) {
    if (pending == null) {
      throw new IllegalStateException("no uncommitted forward pass");
    }
    for (int i = 0; i < nodes.length; i++) {
      int expectedParent = i == 0 ? -1 : nodes[i - 1];
      if (nodes[i] < 0
          || nodes[i] >= pending.size()
          || pending.parent(nodes[i]) != expectedParent) {
        throw new IllegalArgumentException("not a root-to-node path: " + Arrays.toString(nodes));
      }
    }
  }

  /** The nodes {@code 0 .. count - 1} of {@code pending}, which must be a chain: commitPrefix. */
  public static int[] chainPrefix(TokenTree pending, int count) {
    if (pending == null) {
      throw new IllegalStateException("no uncommitted forward pass");
    }
    if (!pending.isChain() || count > pending.size()) {
      throw new IllegalArgumentException("commitPrefix(" + count + ") on " + pending);
    }
    int[] nodes = new int[count];
    for (int i = 0; i < count; i++) {
      nodes[i] = i;
    }
    return nodes;
  }
}
