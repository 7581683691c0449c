package dev.specdec.eval;

import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.DecodeStats;
import dev.specdec.verification.StopReason;

/** Hand-made decode results: no model needed. */
final class Results {
  private Results() {}

  /**
   * A result of {@code tokens} whose run took {@code millis} in all (1 ms of it prefill), with the
   * given drafting counters over k = {@code acceptedByPosition.length}.
   */
  static DecodeResult result(
      int[] tokens,
      int targetPasses,
      int draftingSteps,
      long drafted,
      long accepted,
      long[] acceptedByPosition,
      long millis) {
    long[] draftedByPosition = new long[acceptedByPosition.length];
    java.util.Arrays.fill(draftedByPosition, draftingSteps);
    DecodeStats stats =
        new DecodeStats(
            tokens.length,
            targetPasses,
            draftingSteps,
            drafted,
            accepted,
            draftedByPosition,
            acceptedByPosition,
            1_000_000L,
            (millis - 1) * 1_000_000L);
    return new DecodeResult(tokens, StopReason.MAX_NEW_TOKENS, stats);
  }

  /** Plain decoding of {@code tokens}: one pass per token, nothing drafted. */
  static DecodeResult plain(int[] tokens, long millis) {
    return result(tokens, tokens.length, 0, 0, 0, new long[0], millis);
  }
}
