package dev.specdec.model;

/**
 * Medusa heads on a target model (docs/mtp-medusa-contract.md): from the target's final-norm hidden
 * state at position n, head k (k = 0..K-1) gives the logits of the token at position n + k + 2.
 *
 * <p>Stateless: no cache. Not thread-safe (buffers are reused). Closing releases the session;
 * {@code close()} is idempotent.
 */
public interface MedusaHeads extends AutoCloseable {

  /** The model's {@code specdec.name}. */
  String name();

  /** The {@code specdec.name} of the target the heads were trained on. */
  String targetName();

  /** Number of heads K. */
  int heads();

  /** Hidden size H of the target. */
  int hiddenSize();

  /** Vocabulary size V. */
  int vocabSize();

  /**
   * Runs every head on one hidden state.
   *
   * @param hiddenState H floats: the target's {@code hidden_states} row
   * @param logits receives K * V floats, head-major: head k's logits at {@code [k * V, (k+1) * V)}
   * @throws IllegalArgumentException when the arrays have the wrong length
   * @throws InferenceException when ONNX Runtime fails
   */
  void run(float[] hiddenState, float[] logits);

  /** Releases the session; idempotent. */
  @Override
  void close();

  /**
   * Checks that these heads belong to {@code target}: same name as their {@code specdec.target},
   * same hidden size and vocabulary.
   *
   * @throws IllegalArgumentException naming what differs
   */
  default void requireTarget(ModelInfo target) {
    if (!targetName().equals(target.name())
        || hiddenSize() != target.hiddenSize()
        || vocabSize() != target.vocabSize()) {
      throw new IllegalArgumentException(
          "Medusa heads '"
              + name()
              + "' were made for target '"
              + targetName()
              + "' (hidden "
              + hiddenSize()
              + ", vocab "
              + vocabSize()
              + "), not for '"
              + target.name()
              + "' (hidden "
              + target.hiddenSize()
              + ", vocab "
              + target.vocabSize()
              + "): use the medusa file of the target's bundle");
    }
  }
}
