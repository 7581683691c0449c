package dev.specdec.model;

/**
 * The outputs of one {@link CausalLm#forward} pass, one row per tree node.
 *
 * <p>A view over buffers the model owns: valid until the model's next {@code forward}, {@code
 * commit} or {@code truncate}. Copy out what must outlive it.
 */
public interface ForwardOutput {

  /** Number of rows: the T of the pass. */
  int rows();

  /** Vocabulary size V: the length of a logits row. */
  int vocabSize();

  /** Hidden size H: the length of a hidden-state row. */
  int hiddenSize();

  /** One logit of a row. */
  float logit(int row, int token);

  /**
   * Copies a row of logits.
   *
   * @param row node index in the pass's tree
   * @param dst receives V floats from index 0
   */
  void copyLogits(int row, float[] dst);

  /** Copies a row of the final-norm hidden states (H floats) into {@code dst}. */
  void copyHiddenState(int row, float[] dst);
}
