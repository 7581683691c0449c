package dev.specdec.verification;

import java.util.Arrays;

/**
 * What to generate.
 *
 * @param maxNewTokens the most new tokens, {@code >= 1}
 * @param seed seeds the decoder's random generator (acceptance and target sampling); the drafter
 *     has its own
 * @param stopTokens tokens that end generation when the target produces them (e.g. EOS); the stop
 *     token itself is not emitted. Copied in and out.
 */
public record GenerationRequest(int maxNewTokens, long seed, int[] stopTokens) {

  /** Validates {@code maxNewTokens} and the stop tokens; copies the array. */
  public GenerationRequest {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens must be >= 1, was " + maxNewTokens);
    }
    for (int t : stopTokens) {
      if (t < 0) {
        throw new IllegalArgumentException(
            "stop tokens must be >= 0, were " + Arrays.toString(stopTokens));
      }
    }
    stopTokens = stopTokens.clone();
  }

  /** A request that stops at any of {@code stopTokens} (possibly none). */
  public static GenerationRequest of(int maxNewTokens, long seed, int... stopTokens) {
    return new GenerationRequest(maxNewTokens, seed, stopTokens);
  }

  /** The stop tokens (a copy). */
  @Override
  public int[] stopTokens() {
    return stopTokens.clone();
  }

  /** True when {@code token} ends generation. */
  public boolean isStopToken(int token) {
    for (int t : stopTokens) {
      if (t == token) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GenerationRequest r
        && maxNewTokens == r.maxNewTokens
        && seed == r.seed
        && Arrays.equals(stopTokens, r.stopTokens);
  }

  @Override
  public int hashCode() {
    return (Integer.hashCode(maxNewTokens) * 31 + Long.hashCode(seed)) * 31
        + Arrays.hashCode(stopTokens);
  }

  @Override
  public String toString() {
    return "GenerationRequest[maxNewTokens="
        + maxNewTokens
        + ", seed="
        + seed
        + ", stopTokens="
        + Arrays.toString(stopTokens)
        + "]";
  }
}
