package dev.specdec.verification;

/**
 * Told about every step of a generation, in order, right after the step is verified: how an
 * evaluation harness records accepted lengths, nodes and timings without the decode loop keeping
 * them.
 */
@FunctionalInterface
public interface StepListener {
  /** A listener that ignores every step; the decoder then builds no records. */
  StepListener NONE = step -> {};

  /**
   * Step {@code step} was verified and committed.
   *
   * @param step what it proposed, accepted and cost
   */
  void onStep(StepRecord step);
}
