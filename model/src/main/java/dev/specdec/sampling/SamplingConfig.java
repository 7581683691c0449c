package dev.specdec.sampling;

/**
 * How logits become a distribution over next tokens.
 *
 * @param temperature 0 for greedy (argmax), otherwise the softmax temperature, {@code > 0}
 * @param topK keep only the k most likely tokens; 0 keeps all
 * @param topP keep the smallest set of most likely tokens whose mass reaches p, in {@code (0, 1]}
 */
public record SamplingConfig(double temperature, int topK, double topP) {

  /** Validates ranges with messages that name the option and the value. */
  public SamplingConfig {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException(
          "temperature must be a finite number >= 0 (0 = greedy), was " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("top-k must be >= 0 (0 = off), was " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("top-p must be in (0, 1] (1 = off), was " + topP);
    }
  }

  /** Greedy decoding: always the most likely token. */
  public static SamplingConfig greedy() {
    return new SamplingConfig(0, 0, 1);
  }

  /** Plain sampling at {@code temperature}, no top-k or top-p. */
  public static SamplingConfig temperature(double temperature) {
    return new SamplingConfig(temperature, 0, 1);
  }

  /** True when temperature is 0: distributions are point masses at the argmax. */
  public boolean isGreedy() {
    return temperature == 0;
  }
}
