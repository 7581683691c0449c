package dev.specdec;

import dev.specdec.runtime.GenerationDefaults;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.verification.AcceptanceRule;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * How one {@link SpecDecoder#generate} call generates: immutable, built fluently from {@link
 * #defaults()}; every setter returns a new object and leaves this one as it was, so one options
 * object can be shared by threads and reused across calls.
 *
 * <p>A setting left unset takes the bundle's recommended value, read from the {@code generation}
 * section of its {@code specdec.json} when {@code generate} runs: the most new tokens, temperature,
 * top-k, top-p, and the drafter (the draft model with the bundle's k when the bundle has one and k
 * is not 0, else plain decoding). The seed defaults to 0, the acceptance rule to the one the
 * temperature calls for (greedy at 0, exact rejection sampling otherwise), stop strings to none,
 * the budget to adaptive at temperature 0 and fixed when sampling ({@link Budget#defaultFor}).
 *
 * <p>Each setter validates its value, with a message naming the setting; a combination that only
 * the bundle's defaults complete (greedy acceptance with a non-zero temperature) is checked by
 * {@code generate}.
 */
public final class GenerateOptions {
  private static final GenerateOptions DEFAULTS =
      new GenerateOptions(null, null, null, null, 0, null, null, List.of(), null);

  private final Integer maxNewTokens; // null: the bundle's
  private final Double temperature; // null: the bundle's
  private final Integer topK; // null: the bundle's
  private final Double topP; // null: the bundle's
  private final long seed;
  private final DrafterSpec drafter; // null: the bundle's default drafter
  private final AcceptanceRule acceptance; // null: the rule the temperature calls for
  private final List<String> stopStrings; // immutable
  private final Budget budget; // null: auto when greedy, fixed when sampling

  private GenerateOptions(
      Integer maxNewTokens,
      Double temperature,
      Integer topK,
      Double topP,
      long seed,
      DrafterSpec drafter,
      AcceptanceRule acceptance,
      List<String> stopStrings,
      Budget budget) {
    this.maxNewTokens = maxNewTokens;
    this.temperature = temperature;
    this.topK = topK;
    this.topP = topP;
    this.seed = seed;
    this.drafter = drafter;
    this.acceptance = acceptance;
    this.stopStrings = stopStrings;
    this.budget = budget;
  }

  /** Every setting unset: the bundle's generation defaults, seed 0, no stop strings. */
  public static GenerateOptions defaults() {
    return DEFAULTS;
  }

  /**
   * The most new tokens, {@code >= 1}; a stop token (EOS), a stop string or a full context ends
   * generation earlier.
   */
  public GenerateOptions maxNewTokens(int maxNewTokens) {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("maxNewTokens must be >= 1, was " + maxNewTokens);
    }
    return new GenerateOptions(
        maxNewTokens, temperature, topK, topP, seed, drafter, acceptance, stopStrings, budget);
  }

  /** The softmax temperature, a finite number {@code >= 0}; 0 is greedy decoding. */
  public GenerateOptions temperature(double temperature) {
    new SamplingConfig(temperature, 0, 1); // SamplingConfig owns the rule and its message
    return new GenerateOptions(
        maxNewTokens, temperature, topK, topP, seed, drafter, acceptance, stopStrings, budget);
  }

  /** Keep the {@code topK} most likely tokens, {@code >= 0}; 0 keeps all. */
  public GenerateOptions topK(int topK) {
    new SamplingConfig(0, topK, 1);
    return new GenerateOptions(
        maxNewTokens, temperature, topK, topP, seed, drafter, acceptance, stopStrings, budget);
  }

  /** Nucleus mass in {@code (0, 1]}; 1 keeps all. */
  public GenerateOptions topP(double topP) {
    new SamplingConfig(0, 0, topP);
    return new GenerateOptions(
        maxNewTokens, temperature, topK, topP, seed, drafter, acceptance, stopStrings, budget);
  }

  /**
   * The seed of the generation's randomness (acceptance, the target's samples and, derived from it,
   * the drafter's): the same seed gives the same output, whatever other calls run concurrently.
   */
  public GenerateOptions seed(long seed) {
    return new GenerateOptions(
        maxNewTokens, temperature, topK, topP, seed, drafter, acceptance, stopStrings, budget);
  }

  /** The drafter and its settings. */
  public GenerateOptions drafter(DrafterSpec drafter) {
    Objects.requireNonNull(drafter, "drafter");
    return new GenerateOptions(
        maxNewTokens, temperature, topK, topP, seed, drafter, acceptance, stopStrings, budget);
  }

  /**
   * The acceptance rule: {@link AcceptanceRule#greedy()} (temperature 0 only), {@link
   * AcceptanceRule#rejectionSampling()} (exact at any temperature) or {@link
   * AcceptanceRule#typical()} (faster, not distribution-preserving).
   */
  public GenerateOptions acceptance(AcceptanceRule acceptance) {
    Objects.requireNonNull(acceptance, "acceptance");
    return new GenerateOptions(
        maxNewTokens, temperature, topK, topP, seed, drafter, acceptance, stopStrings, budget);
  }

  /**
   * Strings that end generation as soon as the generated text contains one: the returned text ends
   * right before the earliest, and the streamed text never shows any part of it. Replaces earlier
   * stop strings; none clears them.
   *
   * @throws IllegalArgumentException when a stop string is empty
   */
  public GenerateOptions stopStrings(String... stopStrings) {
    return stopStrings(List.of(stopStrings));
  }

  /** {@link #stopStrings(String...)} from a list. */
  public GenerateOptions stopStrings(List<String> stopStrings) {
    List<String> copy = List.copyOf(stopStrings); // rejects null elements
    for (int i = 0; i < copy.size(); i++) {
      if (copy.get(i).isEmpty()) {
        throw new IllegalArgumentException(
            "stop string " + i + " is empty: an empty string would stop before the first token");
      }
    }
    return new GenerateOptions(
        maxNewTokens, temperature, topK, topP, seed, drafter, acceptance, copy, budget);
  }

  /**
   * How each step's draft is sized: {@link Budget#FIXED} or {@link Budget#AUTO} (cost-aware; see
   * {@link Budget}). Unset, greedy generations are adaptive and sampled ones fixed ({@link
   * Budget#defaultFor}). Plain decoding ignores it.
   */
  public GenerateOptions budget(Budget budget) {
    Objects.requireNonNull(budget, "budget");
    return new GenerateOptions(
        maxNewTokens, temperature, topK, topP, seed, drafter, acceptance, stopStrings, budget);
  }

  /** The budget, when set. */
  public Optional<Budget> budget() {
    return Optional.ofNullable(budget);
  }

  /** The most new tokens, when set. */
  public OptionalInt maxNewTokens() {
    return maxNewTokens == null ? OptionalInt.empty() : OptionalInt.of(maxNewTokens);
  }

  /** The temperature, when set. */
  public OptionalDouble temperature() {
    return temperature == null ? OptionalDouble.empty() : OptionalDouble.of(temperature);
  }

  /** Top-k, when set. */
  public OptionalInt topK() {
    return topK == null ? OptionalInt.empty() : OptionalInt.of(topK);
  }

  /** Top-p, when set. */
  public OptionalDouble topP() {
    return topP == null ? OptionalDouble.empty() : OptionalDouble.of(topP);
  }

  /** The seed; 0 unless set. */
  public long seed() {
    return seed;
  }

  /** The drafter, when set. */
  public Optional<DrafterSpec> drafter() {
    return Optional.ofNullable(drafter);
  }

  /** The acceptance rule, when set. */
  public Optional<AcceptanceRule> acceptance() {
    return Optional.ofNullable(acceptance);
  }

  /** The stop strings (immutable); empty unless set. */
  public List<String> stopStrings() {
    return stopStrings;
  }

  /**
   * These options completed by a bundle's defaults.
   *
   * @param hasDraftModel whether the bundle has a draft model (the default drafter needs one)
   * @throws IllegalArgumentException when greedy acceptance meets a non-zero temperature
   */
  Settings resolve(GenerationDefaults defaults, boolean hasDraftModel) {
    SamplingConfig sampling =
        new SamplingConfig(
            temperature != null ? temperature : defaults.temperature(),
            topK != null ? topK : defaults.topK(),
            topP != null ? topP : defaults.topP());
    DrafterSpec chosen = drafter;
    if (chosen == null) {
      int k = Math.min(defaults.draftTokens(), DrafterSpec.MAX_DRAFT_TOKENS);
      chosen = hasDraftModel && k > 0 ? DrafterSpec.draftModel(k) : DrafterSpec.none();
    }
    AcceptanceRule rule = acceptance;
    if (rule == null) {
      rule = sampling.isGreedy() ? AcceptanceRule.greedy() : AcceptanceRule.rejectionSampling();
    }
    return new Settings(
        maxNewTokens != null ? maxNewTokens : defaults.maxNewTokens(),
        sampling,
        seed,
        chosen,
        rule,
        stopStrings,
        budget != null ? budget : Budget.defaultFor(sampling));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GenerateOptions g
        && Objects.equals(maxNewTokens, g.maxNewTokens)
        && Objects.equals(temperature, g.temperature)
        && Objects.equals(topK, g.topK)
        && Objects.equals(topP, g.topP)
        && seed == g.seed
        && Objects.equals(drafter, g.drafter)
        && Objects.equals(acceptance, g.acceptance)
        && stopStrings.equals(g.stopStrings)
        && Objects.equals(budget, g.budget);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        maxNewTokens, temperature, topK, topP, seed, drafter, acceptance, stopStrings, budget);
  }

  @Override
  public String toString() {
    return "GenerateOptions[maxNewTokens="
        + (maxNewTokens == null ? "bundle" : maxNewTokens)
        + ", temperature="
        + (temperature == null ? "bundle" : temperature)
        + ", topK="
        + (topK == null ? "bundle" : topK)
        + ", topP="
        + (topP == null ? "bundle" : topP)
        + ", seed="
        + seed
        + ", drafter="
        + (drafter == null ? "bundle" : drafter)
        + ", acceptance="
        + (acceptance == null ? "by temperature" : acceptance.name())
        + ", stopStrings="
        + stopStrings
        + ", budget="
        + (budget == null ? "by temperature" : budget)
        + "]";
  }
}
