package dev.specdec.bench;

import dev.specdec.model.ForwardOutput;

/** A {@link ForwardOutput} over logits held in Java arrays: a synthetic pass, no model. */
final class ArrayForwardOutput implements ForwardOutput {
  private final float[][] logits; // (T, V)

  ArrayForwardOutput(float[][] logits) {
    this.logits = logits;
  }

  @Override
  public int rows() {
    return logits.length;
  }

  @Override
  public int vocabSize() {
    return logits[0].length;
  }

  @Override
  public int hiddenSize() {
    return 0;
  }

  @Override
  public float logit(int row, int token) {
    return logits[row][token];
  }

  @Override
  public void copyLogits(int row, float[] dst) {
    System.arraycopy(logits[row], 0, dst, 0, logits[row].length);
  }

  @Override
  public void copyHiddenState(int row, float[] dst) {
    throw new UnsupportedOperationException("a synthetic pass has no hidden states");
  }
}
