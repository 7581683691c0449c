package dev.specdec.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link AcceptanceEval} found for one configuration.
 *
 * @param config the configuration
 * @param runs one run per prompt, in prompt-set order
 * @param overall the metrics of all runs
 * @param byCategory the metrics of each category's runs, categories in order of first appearance
 *     (prompts without one under {@link EvalReport#UNCATEGORIZED})
 */
public record ConfigEval(
    BenchConfig config,
    List<PromptRun> runs,
    EvalMetrics overall,
    Map<String, EvalMetrics> byCategory) {

  /** Validates presence and copies the collections (keeping the category order). */
  public ConfigEval {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(overall, "overall");
    runs = List.copyOf(runs);
    byCategory = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byCategory));
  }

  /**
   * Summarizes {@code runs} overall and per category.
   *
   * @throws IllegalArgumentException when {@code runs} is empty
   */
  public static ConfigEval of(BenchConfig config, List<PromptRun> runs) {
    return of(config, runs, Optional.empty());
  }

  /**
   * Summarizes {@code runs} overall and per category, predicting speedups under {@code targetCost}
   * when given ({@link SpeedPrediction}).
   *
   * @throws IllegalArgumentException when {@code runs} is empty
   */
  public static ConfigEval of(
      BenchConfig config, List<PromptRun> runs, Optional<CostModel> targetCost) {
    Map<String, List<PromptRun>> groups = new LinkedHashMap<>();
    for (PromptRun run : runs) {
      groups.computeIfAbsent(run.category(), c -> new ArrayList<>()).add(run);
    }
    Map<String, EvalMetrics> byCategory = new LinkedHashMap<>();
    groups.forEach(
        (category, group) -> byCategory.put(category, EvalMetrics.of(group, targetCost)));
    return new ConfigEval(config, runs, EvalMetrics.of(runs, targetCost), byCategory);
  }
}
