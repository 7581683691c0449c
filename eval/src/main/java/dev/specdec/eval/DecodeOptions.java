package dev.specdec.eval;

import dev.specdec.runtime.GenerationDefaults;
import dev.specdec.runtime.ModelBundle;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.verification.AcceptanceRule;
import dev.specdec.verification.SpeculativeDecoder;
import java.util.Objects;

/**
 * How a {@link BundleDecoder} decodes.
 *
 * @param drafter the drafter; {@link DrafterKind#NONE} for plain decoding
 * @param draftTokens the most drafts per step, k, in {@code [0, 64]}; at least 1 with {@link
 *     DrafterKind#DRAFT}
 * @param sampling the target's (and the draft's) warping; temperature 0 selects the greedy rule,
 *     anything else exact rejection sampling
 * @param seed seeds the decoder's generator; the draft model's generator is derived from it
 * @param maxNewTokens the most new tokens, {@code >= 1}
 */
public record DecodeOptions(
    DrafterKind drafter, int draftTokens, SamplingConfig sampling, long seed, int maxNewTokens) {

  /** Validates every field with a message naming it and its value. */
  public DecodeOptions {
    Objects.requireNonNull(drafter, "drafter");
    Objects.requireNonNull(sampling, "sampling");
    if (draftTokens < 0 || draftTokens > SpeculativeDecoder.MAX_DRAFT_TOKENS) {
      throw new IllegalArgumentException(
          "draft tokens per step (k) must be in [0, "
              + SpeculativeDecoder.MAX_DRAFT_TOKENS
              + "], was "
              + draftTokens);
    }
    if (drafter == DrafterKind.DRAFT && draftTokens == 0) {
      throw new IllegalArgumentException(
          "the draft drafter needs k >= 1 draft tokens per step (k = 0 is plain decoding: use"
              + " drafter none)");
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("max new tokens must be >= 1, was " + maxNewTokens);
    }
  }

  /**
   * A builder that starts from {@code bundle}'s recommended generation settings, with the draft
   * drafter when the bundle has a draft model and seed 0.
   */
  public static Builder defaultsFor(ModelBundle bundle) {
    return new Builder(bundle.generation(), bundle.draft().isPresent());
  }

  /**
   * The acceptance rule these options call for: greedy at temperature 0, rejection sampling
   * otherwise.
   */
  public AcceptanceRule rule() {
    return sampling.isGreedy() ? AcceptanceRule.greedy() : AcceptanceRule.rejectionSampling();
  }

  /** Starts from a bundle's defaults; each setter overrides one of them. */
  public static final class Builder {
    private DrafterKind drafter;
    private int draftTokens;
    private double temperature;
    private int topK;
    private double topP;
    private long seed;
    private int maxNewTokens;

    private Builder(GenerationDefaults defaults, boolean hasDraft) {
      this.drafter = hasDraft ? DrafterKind.DRAFT : DrafterKind.NONE;
      this.draftTokens = defaults.draftTokens();
      this.temperature = defaults.temperature();
      this.topK = defaults.topK();
      this.topP = defaults.topP();
      this.maxNewTokens = defaults.maxNewTokens();
    }

    /** The drafter. */
    public Builder drafter(DrafterKind drafter) {
      this.drafter = Objects.requireNonNull(drafter, "drafter");
      return this;
    }

    /** The most drafts per step, k; 0 means plain decoding. */
    public Builder draftTokens(int k) {
      this.draftTokens = k;
      return this;
    }

    /** The softmax temperature; 0 for greedy. */
    public Builder temperature(double temperature) {
      this.temperature = temperature;
      return this;
    }

    /** Keep the k most likely tokens; 0 keeps all. */
    public Builder topK(int topK) {
      this.topK = topK;
      return this;
    }

    /** Nucleus mass in {@code (0, 1]}; 1 keeps all. */
    public Builder topP(double topP) {
      this.topP = topP;
      return this;
    }

    /** The seed of the decoder's random generator. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The most new tokens. */
    public Builder maxNewTokens(int maxNewTokens) {
      this.maxNewTokens = maxNewTokens;
      return this;
    }

    /**
     * Validates and builds. Plain decoding is normalized: drafter {@code none} gets k = 0, and k =
     * 0 gets drafter {@code none}.
     *
     * @throws IllegalArgumentException naming the first invalid setting
     */
    public DecodeOptions build() {
      SamplingConfig sampling = new SamplingConfig(temperature, topK, topP);
      boolean plain = drafter == DrafterKind.NONE || draftTokens == 0;
      if (plain && draftTokens >= 0 && draftTokens <= SpeculativeDecoder.MAX_DRAFT_TOKENS) {
        return new DecodeOptions(DrafterKind.NONE, 0, sampling, seed, maxNewTokens);
      }
      return new DecodeOptions(drafter, draftTokens, sampling, seed, maxNewTokens);
    }
  }
}
