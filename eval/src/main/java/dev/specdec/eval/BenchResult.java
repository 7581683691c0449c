package dev.specdec.eval;

import dev.specdec.verification.DecodeStats;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

/**
 * What a benchmark measured for one {@link BenchConfig}: summaries over its samples, each a
 * speculative run and the plain run of the same prompt, round and seed.
 *
 * @param config the configuration measured
 * @param samples how many (speculative, plain) pairs were measured
 * @param medianSpeedup the median over samples of speculative tokens/s ÷ plain tokens/s; {@code
 *     NaN} when no sample has a finite speedup
 * @param minSpeedup the smallest per-sample speedup ({@code NaN} as above)
 * @param maxSpeedup the largest per-sample speedup ({@code NaN} as above)
 * @param meanAcceptedLength τ over all speculative runs together: 1 + total accepted drafts ÷ total
 *     drafting steps (vLLM's mean acceptance length from aggregate counts, not a mean of per-run
 *     means); 1.0 when nothing was drafted
 * @param acceptanceRate total accepted drafts ÷ total drafted ones; {@code NaN} when nothing was
 *     drafted
 * @param tokensPerSecond the median tokens/s (prefill included) of the speculative runs
 * @param baselineTokensPerSecond the median tokens/s (prefill included) of the plain runs
 * @param identical with greedy sampling, whether every speculative output equalled its plain output
 *     token for token; empty with sampling, where outputs differ by design
 */
public record BenchResult(
    BenchConfig config,
    int samples,
    double medianSpeedup,
    double minSpeedup,
    double maxSpeedup,
    double meanAcceptedLength,
    double acceptanceRate,
    double tokensPerSecond,
    double baselineTokensPerSecond,
    Optional<Boolean> identical) {

  /** Validates presence and the sample count. */
  public BenchResult {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(identical, "identical");
    if (samples < 0) {
      throw new IllegalArgumentException("samples must be >= 0, was " + samples);
    }
  }

  /**
   * Summarizes {@code samples}, each pairing a speculative run with its plain run. Speedups and
   * rates that are not finite (a run that measured no time, a baseline of 0 tokens/s) are left out
   * of the medians, minimum and maximum.
   *
   * @throws IllegalArgumentException when there are no samples
   */
  public static BenchResult of(BenchConfig config, List<Comparison> samples) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("config " + config.name() + " has no samples");
    }
    DescriptiveStatistics speedups = new DescriptiveStatistics();
    DescriptiveStatistics fast = new DescriptiveStatistics();
    DescriptiveStatistics slow = new DescriptiveStatistics();
    long steps = 0;
    long drafted = 0;
    long accepted = 0;
    boolean identical = true;
    for (Comparison sample : samples) {
      addFinite(speedups, sample.speedup());
      DecodeStats stats = sample.speculative().stats();
      addFinite(fast, stats.tokensPerSecond());
      addFinite(slow, sample.baseline().stats().tokensPerSecond());
      steps += stats.draftingSteps();
      drafted += stats.draftedTokens();
      accepted += stats.acceptedTokens();
      identical &= sample.identical();
    }
    return new BenchResult(
        config,
        samples.size(),
        median(speedups),
        speedups.getN() == 0 ? Double.NaN : speedups.getMin(),
        speedups.getN() == 0 ? Double.NaN : speedups.getMax(),
        steps == 0 ? 1.0 : 1.0 + (double) accepted / steps,
        drafted == 0 ? Double.NaN : (double) accepted / drafted,
        median(fast),
        median(slow),
        config.options().sampling().isGreedy() ? Optional.of(identical) : Optional.empty());
  }

  private static void addFinite(DescriptiveStatistics statistics, double value) {
    if (Double.isFinite(value)) {
      statistics.addValue(value);
    }
  }

  /** The median, the mean of the two middle values for an even count; NaN when empty. */
  private static double median(DescriptiveStatistics statistics) {
    return statistics.getN() == 0 ? Double.NaN : statistics.getPercentile(50);
  }
}
