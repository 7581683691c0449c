package dev.specdec.eval;

import dev.specdec.model.CacheStats;
import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.ModelInfo;
import dev.specdec.tree.TokenTree;

/**
 * A target whose greedy choice after token t is always t + 1 (mod V): every continuation is known
 * in advance, so a scripted drafter can be right or wrong exactly when a test wants. The cache is a
 * length counter.
 */
final class SuccessorLm implements CausalLm {
  static final int VOCAB = 16;

  private final ModelInfo info = new ModelInfo("successor", 1, 1, 1, 1, 1, 1, VOCAB, 64, 0, 15);
  private int length;
  private TokenTree pending;
  private long passes;

  /** The target's greedy token after {@code token}. */
  static int next(int token) {
    return (token + 1) % VOCAB;
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public int cacheLength() {
    return length;
  }

  @Override
  public int capacity() {
    return info.maxPositions();
  }

  @Override
  public ForwardOutput forward(TokenTree tree) {
    if (length + tree.size() > capacity()) {
      throw new IllegalArgumentException("tree does not fit");
    }
    pending = tree;
    passes++;
    return new ForwardOutput() {
      @Override
      public int rows() {
        return tree.size();
      }

      @Override
      public int vocabSize() {
        return VOCAB;
      }

      @Override
      public int hiddenSize() {
        return 1;
      }

      @Override
      public float logit(int row, int token) {
        return token == next(tree.token(row)) ? 10f : 0f;
      }

      @Override
      public void copyLogits(int row, float[] dst) {
        for (int t = 0; t < VOCAB; t++) {
          dst[t] = logit(row, t);
        }
      }

      @Override
      public void copyHiddenState(int row, float[] dst) {
        dst[0] = 0;
      }
    };
  }

  @Override
  public void commit(int[] nodes) {
    if (pending == null) {
      throw new IllegalStateException("no pass to commit");
    }
    length += nodes.length;
    pending = null;
  }

  @Override
  public void commitPrefix(int count) {
    length += count;
    pending = null;
  }

  @Override
  public void truncate(int length) {
    this.length = length;
    pending = null;
  }

  @Override
  public CacheStats stats() {
    return new CacheStats(passes, 0, 0, 0);
  }

  @Override
  public void close() {}
}
