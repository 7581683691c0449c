package dev.specdec.runtime;

import dev.specdec.sampling.SamplingConfig;

/**
 * The generation settings a bundle recommends; callers may override each.
 *
 * @param maxNewTokens tokens to generate at most, {@code > 0}
 * @param temperature 0 for greedy, otherwise the softmax temperature
 * @param topK keep the k most likely tokens; 0 keeps all
 * @param topP nucleus mass in {@code (0, 1]}; 1 keeps all
 * @param draftTokens draft tokens proposed per verification step, {@code >= 0} (0 = plain decoding)
 */
public record GenerationDefaults(
    int maxNewTokens, double temperature, int topK, double topP, int draftTokens) {

  /** What a bundle gets when its manifest says nothing: 64 tokens, greedy, 4 drafts. */
  public static final GenerationDefaults DEFAULTS = new GenerationDefaults(64, 0.0, 0, 1.0, 4);

  /** Validates every field with a message naming it and its value. */
  public GenerationDefaults {
    if (maxNewTokens <= 0) {
      throw new IllegalArgumentException("maxNewTokens must be > 0, was " + maxNewTokens);
    }
    if (draftTokens < 0) {
      throw new IllegalArgumentException(
          "draftTokens must be >= 0 (0 = plain decoding), was " + draftTokens);
    }
    sampling(temperature, topK, topP); // validates the sampling fields
  }

  /** The sampling part of these settings. */
  public SamplingConfig sampling() {
    return sampling(temperature, topK, topP);
  }

  private static SamplingConfig sampling(double temperature, int topK, double topP) {
    return new SamplingConfig(temperature, topK, topP);
  }
}
