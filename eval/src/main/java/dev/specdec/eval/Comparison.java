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

  /** Validates presence. */
  public Comparison {
    Objects.requireNonNull(speculative, "speculative");
    Objects.requireNonNull(baseline, "baseline");
  }

  /**
   * Runs {@code speculative} and then plain decoding of {@code target} on {@code prompt}.
   *
   * <p>Both decoders first run the whole request once, untimed, so that neither measured run pays
   * for JIT compilation or for the first pass at each cache length (ONNX Runtime plans and
   * allocates per shape): with a 16-token warm-up, the first of two identical plain runs of 128
   * tokens measured 13 % slower than the second, a bias against whichever decoder runs first. Then
   * the speculative run streams its tokens to {@code onToken} and the baseline runs silently. One
   * measured run each: for medians over interleaved runs use {@code specdec bench}.
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
    return run(target, speculative, prompt, request, onToken, token -> {});
  }

  /**
   * {@link #run(CausalLm, SpeculativeDecoder, int[], GenerationRequest, IntConsumer)} with the
   * baseline's tokens going to {@code onBaselineToken}: give it the same work per token as {@code
   * onToken} does, or that work is in the speculative run's time only.
   */
  public static Comparison run(
      CausalLm target,
      SpeculativeDecoder speculative,
      int[] prompt,
      GenerationRequest request,
      IntConsumer onToken,
      IntConsumer onBaselineToken) {
    SpeculativeDecoder plain =
        SpeculativeDecoder.builder(target)
            .drafter(Drafter.none())
            .rule(speculative.rule())
            .sampling(speculative.sampling())
            .draftTokens(0)
            .build();
    speculative.generate(prompt, request, token -> {});
    plain.generate(prompt, request, token -> {});
    DecodeResult fast = speculative.generate(prompt, request, onToken);
    DecodeResult slow = plain.generate(prompt, request, onBaselineToken);
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
