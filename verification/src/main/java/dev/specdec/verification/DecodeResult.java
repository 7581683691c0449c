package dev.specdec.verification;

import java.util.Arrays;
import java.util.Objects;

/**
 * The outcome of one generation.
 *
 * @param tokens the new tokens only (no prompt, no stop token); copied in and out
 * @param stopReason why generation ended
 * @param stats per-step counters and timings
 */
public record DecodeResult(int[] tokens, StopReason stopReason, DecodeStats stats) {

  /** Validates presence and copies the tokens. */
  public DecodeResult {
    Objects.requireNonNull(stopReason, "stopReason");
    Objects.requireNonNull(stats, "stats");
    tokens = tokens.clone();
  }

  /** The new tokens (a copy). */
  @Override
  public int[] tokens() {
    return tokens.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DecodeResult r
        && Arrays.equals(tokens, r.tokens)
        && stopReason == r.stopReason
        && stats.equals(r.stats);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(tokens), stopReason, stats);
  }

  @Override
  public String toString() {
    return "DecodeResult[tokens="
        + Arrays.toString(tokens)
        + ", stopReason="
        + stopReason
        + ", stats="
        + stats
        + "]";
  }
}
