package dev.specdec.verification;

import dev.specdec.runtime.CacheStats;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A deterministic machine for adaptive budgets: "nanoseconds" counted from the work the fake models
 * did, a fixed cost per pass and per token for the target and for the drafter's model, so that
 * budgets depend on the history of the generation and never on the test machine's speed.
 */
final class WorkClock implements LongSupplier {
  /** The target's pass: 1 ms plus 0.1 ms per token, as {@link #TARGET_COST} models it. */
  static final PassCost TARGET_COST = PassCost.linear(1e6, 1e5);

  private final Supplier<CacheStats> target;
  private final Supplier<CacheStats> draft;
  private final double draftPass;
  private final double draftToken;

  private WorkClock(
      Supplier<CacheStats> target,
      Supplier<CacheStats> draft,
      double draftPass,
      double draftToken) {
    this.target = target;
    this.draft = draft;
    this.draftPass = draftPass;
    this.draftToken = draftToken;
  }

  /** Counts the target's work; the drafter's model (if any) costs {@code draftPass} per pass. */
  static WorkClock of(Supplier<CacheStats> target, Supplier<CacheStats> draft, double draftPass) {
    return new WorkClock(target, draft, draftPass, draftPass / 10);
  }

  @Override
  public long getAsLong() {
    CacheStats t = target.get();
    double nanos = 1e6 * t.passes() + 1e5 * Math.max(0, t.tokensRun() - t.passes());
    if (draft != null) {
      CacheStats d = draft.get();
      nanos += draftPass * d.passes() + draftToken * d.tokensRun();
    }
    return (long) nanos;
  }
}
