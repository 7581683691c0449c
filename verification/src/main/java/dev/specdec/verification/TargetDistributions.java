package dev.specdec.verification;

import dev.specdec.model.ForwardOutput;
import dev.specdec.sampling.Distributions;
import dev.specdec.sampling.LogitsWarper;
import dev.specdec.sampling.SamplingConfig;
import java.util.Objects;

/**
 * The target's next-token distributions at the nodes of one verification pass, computed lazily.
 *
 * <p>One instance serves a whole decode loop: {@link #bind} points it at each pass's output, and
 * its scratch rows are reused. Not thread-safe.
 */
public final class TargetDistributions {
  private final SamplingConfig sampling;
  private final int vocabSize;
  private final LogitsWarper warper;
  private final float[] logits; // (V) raw logits of one row
  private final float[] probabilities; // (V) warped p at probabilitiesNode
  private final float[] scratch; // (V) for rules: the residual of rejection sampling
  private ForwardOutput output;
  private int probabilitiesNode = -1;

  private TargetDistributions(SamplingConfig sampling, int vocabSize) {
    this.sampling = sampling;
    this.vocabSize = vocabSize;
    this.warper = new LogitsWarper(vocabSize);
    this.logits = new float[vocabSize];
    this.probabilities = new float[vocabSize];
    this.scratch = new float[vocabSize];
  }

  /**
   * An unbound instance for a vocabulary of {@code vocabSize} tokens; call {@link #bind} per pass.
   */
  public static TargetDistributions create(SamplingConfig sampling, int vocabSize) {
    Objects.requireNonNull(sampling, "sampling");
    if (vocabSize <= 0) {
      throw new IllegalArgumentException("vocabSize must be > 0, was " + vocabSize);
    }
    return new TargetDistributions(sampling, vocabSize);
  }

  /** A new instance bound to {@code output}: convenient for one-off use, allocates its rows. */
  public static TargetDistributions of(ForwardOutput output, SamplingConfig sampling) {
    return create(sampling, output.vocabSize()).bind(output);
  }

  /**
   * Points this instance at a new pass; the previous pass's views become stale.
   *
   * @return this
   * @throws IllegalArgumentException when the output's vocabulary differs from this instance's
   */
  public TargetDistributions bind(ForwardOutput output) {
    if (output.vocabSize() != vocabSize) {
      throw new IllegalArgumentException(
          "pass output has a vocabulary of "
              + output.vocabSize()
              + ", these distributions were made for "
              + vocabSize);
    }
    this.output = output;
    this.probabilitiesNode = -1;
    return this;
  }

  /** The warping applied to the target's logits. */
  public SamplingConfig sampling() {
    return sampling;
  }

  /** Vocabulary size V. */
  public int vocabSize() {
    return vocabSize;
  }

  /** Rows in the bound pass: the tree's node count. */
  public int rows() {
    return bound().rows();
  }

  /** The target's most likely next token after {@code node}: argmax of the raw logits row. */
  public int argmax(int node) {
    bound().copyLogits(node, logits);
    return Distributions.argmax(logits);
  }

  /**
   * The warped target distribution p after {@code node}.
   *
   * @return a view, valid until the next call with another node or the next {@link #bind}; callers
   *     that change it must copy it first
   */
  public float[] probabilities(int node) {
    if (node != probabilitiesNode) {
      bound().copyLogits(node, logits);
      warper.warp(logits, sampling, probabilities);
      probabilitiesNode = node;
    }
    return probabilities;
  }

  /** A V-float row that acceptance rules may overwrite freely (the rejection residual). */
  float[] scratch() {
    return scratch;
  }

  private ForwardOutput bound() {
    if (output == null) {
      throw new IllegalStateException("no pass bound: call bind(output) first");
    }
    return output;
  }
}
