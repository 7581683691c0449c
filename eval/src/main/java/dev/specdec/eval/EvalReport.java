package dev.specdec.eval;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link AcceptanceEval} measured; {@link dev.specdec.eval.report.EvalReportWriter} writes it
 * as JSON, CSV, Markdown and HTML.
 *
 * @param bundle the bundle's name
 * @param prompts prompts in the set
 * @param maxNewTokens the most new tokens per run
 * @param warmup untimed warm-up runs of each decoder per config
 * @param configs one result per config, in the order given; when not complete, the configs that
 *     completed at least one prompt, each with the prompts it completed
 * @param complete false when the run was interrupted before every config decoded every prompt
 * @param costModel the cost model the predicted speedups were priced with, when there was one
 */
public record EvalReport(
    String bundle,
    int prompts,
    int maxNewTokens,
    int warmup,
    List<ConfigEval> configs,
    boolean complete,
    Optional<CostModel> costModel) {
  /** The category of prompts that have none. */
  public static final String UNCATEGORIZED = "uncategorized";

  /** Validates presence and copies the list. */
  public EvalReport {
    Objects.requireNonNull(bundle, "bundle");
    configs = List.copyOf(configs);
    Objects.requireNonNull(costModel, "costModel");
  }

  /** A report without a cost model: no predicted speedups. */
  public EvalReport(
      String bundle,
      int prompts,
      int maxNewTokens,
      int warmup,
      List<ConfigEval> configs,
      boolean complete) {
    this(bundle, prompts, maxNewTokens, warmup, configs, complete, Optional.empty());
  }

  /** Prompts cut from the left to fit, summed over configs. */
  public long truncatedRuns() {
    return configs.stream().flatMap(c -> c.runs().stream()).filter(PromptRun::truncated).count();
  }
}
