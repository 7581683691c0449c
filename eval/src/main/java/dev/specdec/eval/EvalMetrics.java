package dev.specdec.eval;

import dev.specdec.tree.TokenTree;
import dev.specdec.verification.DecodeStats;
import dev.specdec.verification.StepRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The acceptance and speed metrics of a group of {@link PromptRun}s (one configuration, all prompts
 * or one category), with vLLM's definitions: counts are summed over all runs first, then divided.
 *
 * <p>A drafting step is a step whose tree held at least one draft. Depths count from 1 (the first
 * token after the pending root); for a Medusa drafter, head h drafts depth h + 1.
 *
 * @param prompts runs in the group
 * @param newTokens new tokens of the speculative runs
 * @param draftingSteps drafting steps of the speculative runs
 * @param draftedTokens drafts proposed
 * @param acceptedTokens drafts accepted
 * @param meanAcceptedLength τ = 1 + acceptedTokens / draftingSteps (1 when nothing was drafted)
 * @param meanAcceptedLengthCi t-interval of the mean of the per-prompt τ (prompts that drafted)
 * @param acceptanceRate α = acceptedTokens / draftedTokens ({@code NaN} when nothing was drafted)
 * @param acceptanceRateCi Wilson interval of α over the drafted tokens
 * @param acceptanceByPosition entry d − 1: drafting steps that accepted at least d drafts ÷
 *     drafting steps whose tree reached depth d, for d up to the deepest tree drafted
 * @param acceptedLengthHistogram entry a: drafting steps that accepted exactly a drafts, for a from
 *     0 to the deepest tree drafted
 * @param topKAccuracyByDepth entry [d − 1][k − 1]: over drafting steps whose tree reached depth d
 *     and whose output has a token at that position, the share where that token is among the
 *     depth-d drafts of sibling rank &lt; k (rank = order among a parent's children, 0 first). For
 *     Medusa this is head (d − 1)'s top-k accuracy; for a chain drafter, top-1 whether or not the
 *     drafts before it were right. k runs to the most siblings seen at that depth
 * @param meanDraftsPerStep draftedTokens / draftingSteps
 * @param meanDepth γ: the mean depth of the drafting steps' trees (for chains, the drafts per step)
 * @param chainAcceptance α of Leviathan et al.: the probability that a draft the verifier examined
 *     is accepted, estimated as acceptedTokens ÷ (acceptedTokens + drafting steps that ended in a
 *     rejection, i.e. accepted fewer drafts than their tree's depth). Drafts below a rejection are
 *     never examined; {@link #acceptanceRate} counts them and so is lower
 * @param draftNanosPerStep the drafter's wall time over all steps ÷ draftingSteps
 * @param targetStepNanos the plain runs' decode time ÷ their target passes: one target step
 * @param costRatio c = draftNanosPerStep ÷ (γ · targetStepNanos): the cost of drafting one depth
 *     relative to a target step (for chains, of one draft token), all measured in the same runs
 * @param predictedSpeedup the {@link SpeedPrediction} from the step records and the machine's cost
 *     model ({@link CostModel}): every step's verification priced at its own tree size and past
 *     length; {@code NaN} when no cost model was given
 * @param leviathanSpeedup Leviathan et al.'s (1 − α^(γ+1)) / ((1 − α)(γc + 1)) from the measured α
 *     ({@code chainAcceptance}), γ and c; a model of chains with independent acceptance whose
 *     verification costs one target step, kept for comparison: it misses where acceptance is uneven
 *     or multi-token passes cost more than one
 * @param predictionOverheadNanos the per-pass overhead beyond the probe's cost that the prediction
 *     measured on the plain runs ({@link SpeedPrediction#overheadNanos()})
 * @param observedSpeedup the mean over prompts of speculative ÷ plain tokens/s
 * @param observedSpeedupCi t-interval of that mean
 * @param tokensPerSecond speculative new tokens ÷ their prefill plus decode time, all runs together
 * @param tokensPerSecondCi t-interval of the mean of the per-prompt tokens/s
 * @param baselineTokensPerSecond the same for the plain runs
 * @param identicalPrompts runs whose speculative and plain outputs are token-identical
 * @param degenerateOutputs runs whose speculative output ends in a repetition loop ({@link
 *     DegenerateLoop})
 * @param nonDegenerateMeanAcceptedLength τ over the other runs only: 1 + their accepted drafts /
 *     their drafting steps ({@code NaN} when every output is degenerate), so that loops, which are
 *     easy to draft, do not inflate it
 * @param nonDegenerateAcceptanceRate α over the other runs only ({@code NaN} when every output is
 *     degenerate or they drafted nothing)
 */
public record EvalMetrics(
    int prompts,
    long newTokens,
    long draftingSteps,
    long draftedTokens,
    long acceptedTokens,
    double meanAcceptedLength,
    ConfidenceInterval meanAcceptedLengthCi,
    double acceptanceRate,
    ConfidenceInterval acceptanceRateCi,
    List<Double> acceptanceByPosition,
    List<Long> acceptedLengthHistogram,
    List<List<Double>> topKAccuracyByDepth,
    double meanDraftsPerStep,
    double meanDepth,
    double chainAcceptance,
    double draftNanosPerStep,
    double targetStepNanos,
    double costRatio,
    double predictedSpeedup,
    double leviathanSpeedup,
    double predictionOverheadNanos,
    double observedSpeedup,
    ConfidenceInterval observedSpeedupCi,
    double tokensPerSecond,
    ConfidenceInterval tokensPerSecondCi,
    double baselineTokensPerSecond,
    int identicalPrompts,
    int degenerateOutputs,
    double nonDegenerateMeanAcceptedLength,
    double nonDegenerateAcceptanceRate) {

  /** Validates presence and copies the lists. */
  public EvalMetrics {
    Objects.requireNonNull(meanAcceptedLengthCi, "meanAcceptedLengthCi");
    Objects.requireNonNull(acceptanceRateCi, "acceptanceRateCi");
    Objects.requireNonNull(observedSpeedupCi, "observedSpeedupCi");
    Objects.requireNonNull(tokensPerSecondCi, "tokensPerSecondCi");
    acceptanceByPosition = List.copyOf(acceptanceByPosition);
    acceptedLengthHistogram = List.copyOf(acceptedLengthHistogram);
    topKAccuracyByDepth = topKAccuracyByDepth.stream().map(List::copyOf).toList();
  }

  /**
   * Predicted ÷ observed speedup − 1: how far the cost model's prediction is off ({@code NaN} when
   * either is unknown).
   */
  public double predictionError() {
    double e = predictedSpeedup / observedSpeedup - 1;
    return Double.isFinite(e) ? e : Double.NaN;
  }

  /** Degenerate outputs / prompts. */
  public double degenerateFraction() {
    return (double) degenerateOutputs / prompts;
  }

  /**
   * Leviathan et al.'s expected speedup of chain drafting, (1 − α^(γ+1)) / ((1 − α)(γc + 1)), with
   * its limit (γ + 1) / (γc + 1) at α = 1; {@code NaN} when an input is not a number.
   *
   * @param alpha the probability that a draft is accepted, in [0, 1]
   * @param gamma drafts per step
   * @param c the cost of one draft token relative to one target step
   */
  public static double predictedSpeedup(double alpha, double gamma, double c) {
    if (Double.isNaN(alpha) || Double.isNaN(gamma) || Double.isNaN(c)) {
      return Double.NaN;
    }
    double cost = gamma * c + 1;
    if (alpha == 1) {
      return (gamma + 1) / cost;
    }
    return (1 - Math.pow(alpha, gamma + 1)) / ((1 - alpha) * cost);
  }

  /**
   * The metrics of {@code runs} without a cost model: the predicted speedup is {@code NaN}.
   *
   * @throws IllegalArgumentException when {@code runs} is empty
   */
  public static EvalMetrics of(List<PromptRun> runs) {
    return of(runs, Optional.empty());
  }

  /**
   * The metrics of {@code runs}, the speedup predicted under {@code targetCost} when given.
   *
   * @throws IllegalArgumentException when {@code runs} is empty
   */
  public static EvalMetrics of(List<PromptRun> runs, Optional<CostModel> targetCost) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no runs to summarize");
    }
    long newTokens = 0;
    long steps = 0;
    long drafted = 0;
    long accepted = 0;
    long draftNanos = 0;
    long specNanos = 0;
    long plainTokens = 0;
    long plainNanos = 0;
    long plainDecodeNanos = 0;
    long plainPasses = 0;
    int identical = 0;
    int degenerate = 0;
    long cleanSteps = 0;
    long cleanDrafted = 0;
    long cleanAccepted = 0;
    int deepest = 0;
    long depthSum = 0;
    long rejectingSteps = 0;
    for (PromptRun run : runs) {
      DecodeStats s = run.speculative().stats();
      DecodeStats p = run.plain().stats();
      newTokens += s.newTokens();
      steps += s.draftingSteps();
      drafted += s.draftedTokens();
      accepted += s.acceptedTokens();
      specNanos += s.prefillNanos() + s.decodeNanos();
      plainTokens += p.newTokens();
      plainNanos += p.prefillNanos() + p.decodeNanos();
      plainDecodeNanos += p.decodeNanos();
      plainPasses += p.targetPasses();
      identical += run.identical() ? 1 : 0;
      if (run.degenerate()) {
        degenerate++;
      } else {
        cleanSteps += s.draftingSteps();
        cleanDrafted += s.draftedTokens();
        cleanAccepted += s.acceptedTokens();
      }
      for (StepRecord step : run.steps()) {
        draftNanos += step.draftNanos();
        if (step.drafted() > 0) {
          int depth = step.tree().maxDepth();
          deepest = Math.max(deepest, depth);
          depthSum += depth;
          rejectingSteps += step.accepted() < depth ? 1 : 0;
        }
      }
    }
    long[] atLeast = new long[deepest];
    long[] reached = new long[deepest]; // drafting steps whose tree reached depth d + 1
    long[] histogram = new long[deepest + 1];
    DepthRanks ranks = new DepthRanks(deepest);
    for (PromptRun run : runs) {
      int[] output = run.speculative().tokens();
      for (StepRecord step : run.steps()) {
        if (step.drafted() == 0) {
          continue;
        }
        histogram[step.accepted()]++;
        for (int d = 0; d < step.accepted(); d++) {
          atLeast[d]++;
        }
        for (int d = 0; d < step.tree().maxDepth(); d++) {
          reached[d]++;
        }
        ranks.add(step, output);
      }
    }
    List<Double> byPosition = new ArrayList<>(deepest);
    for (int d = 0; d < deepest; d++) {
      byPosition.add((double) atLeast[d] / reached[d]);
    }
    double rate = drafted == 0 ? Double.NaN : (double) accepted / drafted;
    double alpha =
        accepted + rejectingSteps == 0
            ? Double.NaN
            : (double) accepted / (accepted + rejectingSteps);
    double gamma = steps == 0 ? Double.NaN : (double) depthSum / steps;
    double perStep = steps == 0 ? Double.NaN : (double) draftNanos / steps;
    double targetStep = plainPasses == 0 ? Double.NaN : (double) plainDecodeNanos / plainPasses;
    double c = perStep / (gamma * targetStep);
    SpeedPrediction prediction =
        targetCost.map(cost -> SpeedPrediction.of(runs, cost)).orElse(SpeedPrediction.NONE);
    return new EvalMetrics(
        runs.size(),
        newTokens,
        steps,
        drafted,
        accepted,
        steps == 0 ? 1.0 : 1.0 + (double) accepted / steps,
        ConfidenceInterval.ofMean(perPromptTau(runs)),
        rate,
        ConfidenceInterval.ofProportion(drafted, accepted),
        byPosition,
        Arrays.stream(histogram).boxed().toList(),
        ranks.accuracy(),
        steps == 0 ? Double.NaN : (double) drafted / steps,
        gamma,
        alpha,
        perStep,
        targetStep,
        Double.isFinite(c) ? c : Double.NaN,
        prediction.speedup(),
        predictedSpeedup(alpha, gamma, c),
        prediction.overheadNanos(),
        mean(runs.stream().mapToDouble(PromptRun::speedup).filter(Double::isFinite).toArray()),
        ConfidenceInterval.ofMean(
            runs.stream().mapToDouble(PromptRun::speedup).filter(Double::isFinite).toArray()),
        rate(newTokens, specNanos),
        ConfidenceInterval.ofMean(
            runs.stream()
                .mapToDouble(r -> r.speculative().stats().tokensPerSecond())
                .filter(Double::isFinite)
                .toArray()),
        rate(plainTokens, plainNanos),
        identical,
        degenerate,
        degenerate == runs.size()
            ? Double.NaN
            : cleanSteps == 0 ? 1.0 : 1.0 + (double) cleanAccepted / cleanSteps,
        cleanDrafted == 0 ? Double.NaN : (double) cleanAccepted / cleanDrafted);
  }

  private static double[] perPromptTau(List<PromptRun> runs) {
    return runs.stream()
        .map(r -> r.speculative().stats())
        .filter(s -> s.draftingSteps() > 0)
        .mapToDouble(DecodeStats::meanAcceptedLength)
        .toArray();
  }

  private static double mean(double[] values) {
    return values.length == 0 ? Double.NaN : Arrays.stream(values).average().orElseThrow();
  }

  private static double rate(long tokens, long nanos) {
    return nanos <= 0 ? Double.NaN : tokens / (nanos / 1e9);
  }

  /** Counts, per depth, the best sibling rank at which a step's tree held the emitted token. */
  private static final class DepthRanks {
    private final List<long[]> hitsAtRank = new ArrayList<>(); // [depth - 1][rank]
    private final long[] trials; // [depth - 1]

    DepthRanks(int deepest) {
      trials = new long[deepest];
      for (int d = 0; d < deepest; d++) {
        hitsAtRank.add(new long[0]);
      }
    }

    void add(StepRecord step, int[] output) {
      TokenTree tree = step.tree();
      int[] rank = new int[tree.size()];
      int[] children = new int[tree.size()];
      int[] best = new int[tree.maxDepth() + 1];
      int[] width = new int[tree.maxDepth() + 1];
      Arrays.fill(best, Integer.MAX_VALUE);
      for (int node = 1; node < tree.size(); node++) {
        int parent = tree.parent(node);
        rank[node] = children[parent]++;
        int depth = tree.depth(node);
        width[depth] = Math.max(width[depth], rank[node] + 1);
        int position = step.emittedBefore() + depth - 1;
        if (position < output.length && tree.token(node) == output[position]) {
          best[depth] = Math.min(best[depth], rank[node]);
        }
      }
      for (int depth = 1; depth <= tree.maxDepth(); depth++) {
        if (step.emittedBefore() + depth - 1 >= output.length) {
          break; // generation ended before this position: nothing to compare with
        }
        trials[depth - 1]++;
        long[] hits = hitsAtRank.get(depth - 1);
        if (hits.length < width[depth]) {
          hits = Arrays.copyOf(hits, width[depth]);
          hitsAtRank.set(depth - 1, hits);
        }
        if (best[depth] != Integer.MAX_VALUE) {
          hits[best[depth]]++;
        }
      }
    }

    List<List<Double>> accuracy() {
      List<List<Double>> out = new ArrayList<>(trials.length);
      for (int d = 0; d < trials.length; d++) {
        long[] hits = hitsAtRank.get(d);
        List<Double> topK = new ArrayList<>(hits.length);
        long cumulative = 0;
        for (long h : hits) {
          cumulative += h;
          topK.add(trials[d] == 0 ? Double.NaN : (double) cumulative / trials[d]);
        }
        out.add(topK);
      }
      return out;
    }
  }
}
