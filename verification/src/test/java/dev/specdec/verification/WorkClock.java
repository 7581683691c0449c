package dev.specdec.verification;

import dev.specdec.model.CacheStats;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A deterministic machine for adaptive budgets: "nanoseconds" counted from the work the fake models
 * did, a fixed cost per pass and per token for the target and for the drafter's model, so that
 * budgets depend on the history of the generation and never on the test machine's speed.
 */
final class WorkClock implements LongSupplier {
  /** The target's pass as {@link #of} counts it: 1 ms plus 0.1 ms per token beyond the first. */
  static final PassCost TARGET_COST = PassCost.linear(1e6, 1e5);

  private final Supplier<CacheStats> target;
  private final double targetPass;
  private final double targetToken;
  private final Supplier<CacheStats> draft; // null: the drafter's work is free
  private final double draftPass;
  private final double draftToken;

  private WorkClock(
      Supplier<CacheStats> target,
      double targetPass,
      double targetToken,
      Supplier<CacheStats> draft,
      double draftPass,
      double draftToken) {
    this.target = target;
    this.targetPass = targetPass;
    this.targetToken = targetToken;
    this.draft = draft;
    this.draftPass = draftPass;
    this.draftToken = draftToken;
  }

  /**
   * Counts the target's work as {@link #TARGET_COST} models it; the drafter's model costs {@code
   * draftPass} per pass and a tenth of that per token.
   */
  static WorkClock of(Supplier<CacheStats> target, Supplier<CacheStats> draft, double draftPass) {
    return new WorkClock(target, 1e6, 1e5, draft, draftPass, draftPass / 10);
  }

  /** Counts the target's work only, {@code pass + token * (T - 1)} per pass of T tokens. */
  static WorkClock targetOnly(Supplier<CacheStats> target, double pass, double token) {
    return new WorkClock(target, pass, token, null, 0, 0);
  }

  @Override
  public long getAsLong() {
    CacheStats t = target.get();
    double nanos = targetPass * t.passes() + targetToken * Math.max(0, t.tokensRun() - t.passes());
    if (draft != null) {
      CacheStats d = draft.get();
      nanos += draftPass * d.passes() + draftToken * d.tokensRun();
    }
    return (long) nanos;
  }
}
