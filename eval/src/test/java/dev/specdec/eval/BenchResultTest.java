package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.specdec.DrafterSpec;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.verification.DecodeResult;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BenchResultTest {
  private static final double EPS = 1e-9;
  private static final int[] TOKENS = {5, 6, 7, 8, 9, 10, 11, 12};
  private static final BenchConfig GREEDY =
      new BenchConfig(
          "g", new DecodeOptions(DrafterSpec.draftModel(4), SamplingConfig.greedy(), 0, 8));

  /** A speculative run of the 8 tokens with the given counters, taking {@code millis}. */
  private static DecodeResult speculative(
      int[] tokens, int steps, long drafted, long accepted, long millis) {
    return Results.result(tokens, steps, steps, drafted, accepted, new long[4], millis);
  }

  private static List<Comparison> fourSamples(int[] lastSpeculativeTokens) {
    // speculative tokens/s: 2000, 4000, 1000, 500; plain: 1000, 1000, 2000, 500
    return List.of(
        new Comparison(speculative(TOKENS, 3, 12, 5, 4), Results.plain(TOKENS, 8)),
        new Comparison(speculative(TOKENS, 2, 8, 6, 2), Results.plain(TOKENS, 8)),
        new Comparison(speculative(TOKENS, 4, 16, 1, 8), Results.plain(TOKENS, 4)),
        new Comparison(speculative(lastSpeculativeTokens, 1, 4, 0, 16), Results.plain(TOKENS, 16)));
  }

  @Test
  void summarizesPerSampleSpeedupsByMedianMinAndMax() {
    BenchResult result = BenchResult.of(GREEDY, fourSamples(TOKENS));

    // speedups 2, 4, 0.5, 1: the median of an even count is the mean of the middle two
    assertEquals(4, result.samples());
    assertEquals(1.5, result.medianSpeedup(), EPS);
    assertEquals(0.5, result.minSpeedup(), EPS);
    assertEquals(4.0, result.maxSpeedup(), EPS);
    assertEquals(1500.0, result.tokensPerSecond(), EPS);
    assertEquals(1000.0, result.baselineTokensPerSecond(), EPS);
  }

  @Test
  void acceptanceComesFromAggregateCountsNotAMeanOfMeans() {
    BenchResult result = BenchResult.of(GREEDY, fourSamples(TOKENS));

    // 12 accepted over 10 drafting steps and 40 drafts; the mean of the per-run tau would be
    // (1 + 5/3 + 1 + 3 + 1 + 1/4 + 1) / 4 = 1.979...
    assertEquals(1.0 + 12.0 / 10.0, result.meanAcceptedLength(), 0.0);
    assertEquals(12.0 / 40.0, result.acceptanceRate(), 0.0);
  }

  @Test
  void greedyIsIdenticalOnlyWhenEverySampleMatchesItsBaseline() {
    assertEquals(Optional.of(true), BenchResult.of(GREEDY, fourSamples(TOKENS)).identical());

    int[] different = TOKENS.clone();
    different[7] = 99;
    assertEquals(Optional.of(false), BenchResult.of(GREEDY, fourSamples(different)).identical());
  }

  @Test
  void samplingReportsNoIdentity() {
    BenchConfig sampled =
        new BenchConfig(
            "s", new DecodeOptions(DrafterSpec.draftModel(4), new SamplingConfig(0.7, 0, 1), 0, 8));

    assertEquals(Optional.empty(), BenchResult.of(sampled, fourSamples(TOKENS)).identical());
  }

  @Test
  void nothingDraftedMeansTauOneAndNoAcceptanceRate() {
    BenchResult result =
        BenchResult.of(
            GREEDY, List.of(new Comparison(Results.plain(TOKENS, 4), Results.plain(TOKENS, 4))));

    assertEquals(1.0, result.meanAcceptedLength(), 0.0);
    assertEquals(Double.NaN, result.acceptanceRate());
    assertEquals(1.0, result.medianSpeedup(), EPS);
  }

  @Test
  void rejectsNoSamples() {
    assertThrows(IllegalArgumentException.class, () -> BenchResult.of(GREEDY, List.of()));
  }
}
