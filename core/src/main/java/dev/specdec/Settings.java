package dev.specdec;

import dev.specdec.sampling.SamplingConfig;
import dev.specdec.verification.AcceptanceRule;
import java.util.List;
import java.util.Objects;

/**
 * The settings of one generation: {@link GenerateOptions} completed by the bundle's defaults, with
 * the combinations checked that neither alone could check.
 *
 * @param maxNewTokens the most new tokens, {@code >= 1}
 * @param sampling the warping of the target and the draft alike
 * @param seed the generation's seed
 * @param drafter the drafter
 * @param rule the acceptance rule
 * @param stopStrings non-empty strings that end generation (immutable)
 * @param budget how each step's draft is sized
 */
record Settings(
    int maxNewTokens,
    SamplingConfig sampling,
    long seed,
    DrafterSpec drafter,
    AcceptanceRule rule,
    List<String> stopStrings,
    Budget budget) {

  /** Validates what only the combination decides. */
  Settings {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens must be >= 1, was " + maxNewTokens);
    }
    Objects.requireNonNull(sampling, "sampling");
    Objects.requireNonNull(drafter, "drafter");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(budget, "budget");
    stopStrings = List.copyOf(stopStrings);
    if (rule instanceof AcceptanceRule.Greedy && !sampling.isGreedy()) {
      throw new IllegalArgumentException(
          "greedy acceptance needs temperature 0, was temperature "
              + sampling.temperature()
              + ": use AcceptanceRule.rejectionSampling() (exact) or typical()");
    }
  }
}
