package dev.specdec.verification;

import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link SpeculativeDecoder} sizes each step's draft.
 *
 * <ul>
 *   <li>{@link Fixed}: every step drafts what the drafter's k or tree asks for (the behaviour
 *       before adaptive budgets, reproducible run to run).
 *   <li>{@link Auto}: each step drafts and verifies what pays on this machine: the draft is cut
 *       (chains stop early, trees are pruned to their best nodes) to maximise expected tokens per
 *       second, E[accepted + 1] / (draft cost + verify cost(T)), with acceptance estimated from the
 *       drafter's confidences calibrated online against what the target accepted; when no draft
 *       beats a plain step the decoder takes plain steps and probes with a draft now and then.
 * </ul>
 *
 * <p>Every choice uses only what is known before the target's pass, so greedy output stays
 * token-identical to plain decoding and rejection sampling keeps the target's distribution. With
 * {@code Auto} the choices depend on measured times, so sampled output for a seed may differ
 * between runs (each run is still an exact sample).
 */
public sealed interface BudgetPolicy {

  /** The drafter's own k or tree every step. */
  record Fixed() implements BudgetPolicy {}

  /**
   * Cost-aware budgets.
   *
   * @param target the target's measured pass cost
   * @param draft the draft model's pass cost, when the drafter runs one (its extra draft per chain
   *     level costs one single-token pass); empty for drafters without one, whose cost is learned
   *     from their observed propose times
   */
  record Auto(PassCost target, Optional<PassCost> draft) implements BudgetPolicy {
    /** Validates presence. */
    public Auto {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(draft, "draft");
    }
  }

  /** The fixed policy. */
  static BudgetPolicy fixed() {
    return new Fixed();
  }

  /** Adaptive budgets over {@code target}'s cost; a drafter without a draft model. */
  static BudgetPolicy auto(PassCost target) {
    return new Auto(target, Optional.empty());
  }

  /** Adaptive budgets over the target's and the draft model's costs. */
  static BudgetPolicy auto(PassCost target, PassCost draft) {
    return new Auto(target, Optional.of(draft));
  }
}
