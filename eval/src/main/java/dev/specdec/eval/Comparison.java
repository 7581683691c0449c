package dev.specdec.eval;

import dev.specdec.drafting.Drafter;
import dev.specdec.model.CausalLm;
import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.GenerationRequest;
import dev.specdec.verification.SpeculativeDecoder;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * The same prompt decoded twice: by a speculative decoder and by plain decoding of its target.
 *
 * <p>The baseline uses {@link Drafter#none()} with the speculative decoder's sampling, acceptance
 * rule and the request's seed, so with greedy sampling both outputs must be token-identical (up to
 * rare floating-point near-ties between a multi-token pass and single-token passes). With sampling,
 * the two runs consume their random generators differently and their outputs differ by design; only
 * their distributions agree.
 *
 * @param speculative the speculative decoder's result
 * @param baseline plain decoding's result
 */
public record Comparison(DecodeResult speculative, DecodeResult baseline) {

  /** New tokens each decoder generates, untimed, before the measured runs. */
  public static final int WARM_UP_TOKENS = 16;

  /** Validates presence. */
  public Comparison {
    Objects.requireNonNull(speculative, "speculative");
    Objects.requireNonNull(baseline, "baseline");
  }

  /**
   * Runs {@code speculative} and then plain decoding of {@code target} on {@code prompt}.
   *
   * <p>Both decoders first run a short untimed warm-up ({@value #WARM_UP_TOKENS} tokens), so that
   * neither measured run pays for JIT compilation or first-touch allocation. Then the speculative
   * run streams its tokens to {@code onToken} and the baseline runs silently. One measured run
   * each: for medians over interleaved runs use {@code specdec bench}.
   *
   * @param target the model {@code speculative} was built over; the baseline decodes it directly
   * @param speculative the decoder under test
   * @param prompt the prompt tokens (e.g. BOS first)
   * @param request maximum length, seed and stop tokens, shared by both runs
   * @param onToken receives each token of the speculative run
   */
  public static Comparison run(
      CausalLm target,
      SpeculativeDecoder speculative,
      int[] prompt,
      GenerationRequest request,
      IntConsumer onToken) {
    SpeculativeDecoder plain =
        SpeculativeDecoder.builder(target)
            .drafter(Drafter.none())
            .rule(speculative.rule())
            .sampling(speculative.sampling())
            .draftTokens(0)
            .build();
    GenerationRequest warmUp =
        new GenerationRequest(
            Math.min(WARM_UP_TOKENS, request.maxNewTokens()), request.seed(), request.stopTokens());
    speculative.generate(prompt, warmUp, token -> {});
    plain.generate(prompt, warmUp, token -> {});
    DecodeResult fast = speculative.generate(prompt, request, onToken);
    DecodeResult slow = plain.generate(prompt, request, token -> {});
    return new Comparison(fast, slow);
  }

  /**
   * Speculative tokens per second over baseline tokens per second; {@code NaN} when either rate is
   * unknown or the baseline's is 0.
   */
  public double speedup() {
    double fast = speculative.stats().tokensPerSecond();
    double slow = baseline.stats().tokensPerSecond();
    return slow > 0 && Double.isFinite(slow) && Double.isFinite(fast) ? fast / slow : Double.NaN;
  }

  /** True when both runs produced the same tokens. */
  public boolean identical() {
    return Arrays.equals(speculative.tokens(), baseline.tokens());
  }
}
