package dev.specdec.verification;

import java.util.Arrays;
import java.util.Objects;

/**
 * Counters of one generation, with the acceptance metrics vLLM reports.
 *
 * <p>A drafting step is a verification pass whose tree held at least one draft; passes that drafted
 * nothing (plain decoding, or no room left) count in {@code targetPasses} only. Accepted counts
 * come from the verdicts, before any truncation by a stop token or {@code maxNewTokens}.
 *
 * @param newTokens tokens emitted
 * @param targetPasses verification passes of the target, not counting the prefill pass
 * @param draftingSteps passes whose tree held at least one draft
 * @param draftedTokens draft nodes proposed over all passes
 * @param acceptedTokens drafts accepted over all passes
 * @param draftedByPosition [k]: entry i counts the drafting steps whose tree reached depth i + 1
 * @param acceptedByPosition [k]: entry i counts the steps that accepted at least i + 1 drafts
 * @param prefillNanos wall time of the prefill pass (System.nanoTime)
 * @param decodeNanos wall time of the decode loop
 */
public record DecodeStats(
    int newTokens,
    int targetPasses,
    int draftingSteps,
    long draftedTokens,
    long acceptedTokens,
    long[] draftedByPosition,
    long[] acceptedByPosition,
    long prefillNanos,
    long decodeNanos) {

  /** Validates counts and copies the arrays. */
  public DecodeStats {
    if (newTokens < 0 || targetPasses < 0 || draftingSteps < 0) {
      throw new IllegalArgumentException(
          "counts must be >= 0, were newTokens="
              + newTokens
              + ", targetPasses="
              + targetPasses
              + ", draftingSteps="
              + draftingSteps);
    }
    if (acceptedTokens < 0 || acceptedTokens > draftedTokens) {
      throw new IllegalArgumentException(
          "acceptedTokens must be in [0, draftedTokens = "
              + draftedTokens
              + "], was "
              + acceptedTokens);
    }
    if (draftedByPosition.length != acceptedByPosition.length) {
      throw new IllegalArgumentException(
          "draftedByPosition and acceptedByPosition differ in length: "
              + draftedByPosition.length
              + " vs "
              + acceptedByPosition.length);
    }
    draftedByPosition = draftedByPosition.clone();
    acceptedByPosition = acceptedByPosition.clone();
  }

  /** Per position, the drafting steps that reached it (a copy). */
  @Override
  public long[] draftedByPosition() {
    return draftedByPosition.clone();
  }

  /** Per position, the steps that accepted it (a copy). */
  @Override
  public long[] acceptedByPosition() {
    return acceptedByPosition.clone();
  }

  /**
   * Mean tokens per drafting step, τ = 1 + accepted / draftingSteps (vLLM's mean acceptance
   * length); 1.0 when nothing was drafted.
   */
  public double meanAcceptedLength() {
    return draftingSteps == 0 ? 1.0 : 1.0 + (double) acceptedTokens / draftingSteps;
  }

  /** Accepted drafts over drafted ones; {@code NaN} when nothing was drafted. */
  public double acceptanceRate() {
    return draftedTokens == 0 ? Double.NaN : (double) acceptedTokens / draftedTokens;
  }

  /**
   * Per-position acceptance: entry i is {@code acceptedByPosition[i] / draftedByPosition[i]}, the
   * share of the drafting steps that drafted position i + 1 and had it accepted; {@code NaN} where
   * no step drafted that deep. (vLLM divides by all drafting steps instead, which makes a position
   * that was rarely drafted look rarely accepted: 100 % of 6 drafts accepted beside 50 % at
   * position 3.)
   */
  public double[] acceptanceByPosition() {
    double[] out = new double[acceptedByPosition.length];
    for (int i = 0; i < out.length; i++) {
      out[i] =
          draftedByPosition[i] == 0
              ? Double.NaN
              : (double) acceptedByPosition[i] / draftedByPosition[i];
    }
    return out;
  }

  /** New tokens per second of prefill plus decode; {@code NaN} when no time was measured. */
  public double tokensPerSecond() {
    long nanos = prefillNanos + decodeNanos;
    return nanos <= 0 ? Double.NaN : newTokens / (nanos / 1e9);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DecodeStats s
        && newTokens == s.newTokens
        && targetPasses == s.targetPasses
        && draftingSteps == s.draftingSteps
        && draftedTokens == s.draftedTokens
        && acceptedTokens == s.acceptedTokens
        && Arrays.equals(draftedByPosition, s.draftedByPosition)
        && Arrays.equals(acceptedByPosition, s.acceptedByPosition)
        && prefillNanos == s.prefillNanos
        && decodeNanos == s.decodeNanos;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        newTokens,
        targetPasses,
        draftingSteps,
        draftedTokens,
        acceptedTokens,
        Arrays.hashCode(draftedByPosition),
        Arrays.hashCode(acceptedByPosition),
        prefillNanos,
        decodeNanos);
  }

  @Override
  public String toString() {
    return "DecodeStats[newTokens="
        + newTokens
        + ", targetPasses="
        + targetPasses
        + ", draftingSteps="
        + draftingSteps
        + ", draftedTokens="
        + draftedTokens
        + ", acceptedTokens="
        + acceptedTokens
        + ", draftedByPosition="
        + Arrays.toString(draftedByPosition)
        + ", acceptedByPosition="
        + Arrays.toString(acceptedByPosition)
        + ", prefillNanos="
        + prefillNanos
        + ", decodeNanos="
        + decodeNanos
        + "]";
  }
}
