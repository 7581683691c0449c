package dev.specdec.runtime;

import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.ModelInfo;
import java.nio.FloatBuffer;
import java.util.function.IntSupplier;

/**
 * The view a pass of an ONNX Runtime {@link CausalLm} returns over the model's own logits (and
 * hidden-state) buffers; it checks on every access that no later call on the model outdated it.
 */
final class PassOutput implements ForwardOutput {
  private final String label;
  private final ModelInfo info;
  private final IntSupplier generation; // the model's current generation
  private final int generationAtPass;
  private final int rows;
  private final FloatBuffer logits; // (rows, V) at least
  private final FloatBuffer hidden; // (rows, H) at least, or null when the model has none
  private final String noHidden; // why hidden is null, for the exception

  /**
   * A view of the {@code rows} rows a pass just wrote, current while {@code generation} stays at
   * its value now.
   *
   * @param hidden the hidden-state buffer, or {@code null} when the model has no such output
   * @param noHidden the message (after the label) of the exception a hidden-state read throws when
   *     {@code hidden} is {@code null}
   */
  PassOutput(
      String label,
      ModelInfo info,
      IntSupplier generation,
      int rows,
      FloatBuffer logits,
      FloatBuffer hidden,
      String noHidden) {
    this.label = label;
    this.info = info;
    this.generation = generation;
    this.generationAtPass = generation.getAsInt();
    this.rows = rows;
    this.logits = logits;
    this.hidden = hidden;
    this.noHidden = noHidden;
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int vocabSize() {
    return info.vocabSize();
  }

  @Override
  public int hiddenSize() {
    return info.hiddenSize();
  }

  @Override
  public float logit(int rowIndex, int token) {
    requireCurrent(rowIndex);
    if (token < 0 || token >= info.vocabSize()) {
      throw new IndexOutOfBoundsException(
          "token " + token + " outside [0, " + info.vocabSize() + ")");
    }
    return logits.get(rowIndex * info.vocabSize() + token);
  }

  @Override
  public void copyLogits(int rowIndex, float[] dst) {
    requireCurrent(rowIndex);
    logits.get(rowIndex * info.vocabSize(), dst, 0, info.vocabSize());
  }

  @Override
  public void copyHiddenState(int rowIndex, float[] dst) {
    requireCurrent(rowIndex);
    if (hidden == null) {
      throw new UnsupportedOperationException(label + noHidden);
    }
    hidden.get(rowIndex * info.hiddenSize(), dst, 0, info.hiddenSize());
  }

  private void requireCurrent(int rowIndex) {
    if (generation.getAsInt() != generationAtPass) {
      throw new IllegalStateException(
          label
              + ": this ForwardOutput is outdated: the model has since run forward, commit,"
              + " truncate or close; copy out what must outlive the pass");
    }
    if (rowIndex < 0 || rowIndex >= rows) {
      throw new IndexOutOfBoundsException("row " + rowIndex + " outside [0, " + rows + ")");
    }
  }
}
