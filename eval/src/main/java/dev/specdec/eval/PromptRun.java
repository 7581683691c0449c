package dev.specdec.eval;

import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.StepRecord;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One prompt of an evaluation under one configuration: the speculative run with its per-step
 * records and the plain run of the same target, prompt and seed.
 *
 * @param prompt the prompt
 * @param promptTokens the prompt's length in tokens as decoded (BOS included, after any cut)
 * @param truncated whether the prompt was cut from the left to fit the context
 * @param speculative the speculative run
 * @param plain the plain run
 * @param steps the speculative run's steps, in order
 */
public record PromptRun(
    BenchPrompt prompt,
    int promptTokens,
    boolean truncated,
    DecodeResult speculative,
    DecodeResult plain,
    List<StepRecord> steps) {

  /** Validates presence and that there is one record per target pass; copies the list. */
  public PromptRun {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(speculative, "speculative");
    Objects.requireNonNull(plain, "plain");
    steps = List.copyOf(steps);
    if (steps.size() != speculative.stats().targetPasses()) {
      throw new IllegalArgumentException(
          "prompt "
              + prompt.id()
              + ": "
              + steps.size()
              + " step records for "
              + speculative.stats().targetPasses()
              + " target passes");
    }
  }

  /** Whether both runs produced the same tokens (by design with greedy sampling). */
  public boolean identical() {
    return Arrays.equals(speculative.tokens(), plain.tokens());
  }

  /**
   * Whether the speculative output ends in a repetition loop ({@link DegenerateLoop}): the run's
   * acceptance then says little about the drafter.
   */
  public boolean degenerate() {
    return loopPeriod() > 0;
  }

  /** The speculative output's {@link DegenerateLoop#period}: 0 when it does not loop. */
  public int loopPeriod() {
    return DegenerateLoop.period(speculative.tokens());
  }

  /** Speculative tokens/s over plain tokens/s (prefill included); {@code NaN} when not finite. */
  public double speedup() {
    double s = speculative.stats().tokensPerSecond() / plain.stats().tokensPerSecond();
    return Double.isFinite(s) ? s : Double.NaN;
  }

  /** The category, or {@link EvalReport#UNCATEGORIZED}. */
  public String category() {
    return prompt.category().orElse(EvalReport.UNCATEGORIZED);
  }
}
