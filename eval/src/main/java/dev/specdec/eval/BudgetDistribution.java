package dev.specdec.eval;

import dev.specdec.verification.StepRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * How many steps verified each budget (drafts per step, 0 = a plain step): what an adaptive budget
 * chose, or a fixed budget's one value (less near the end of a generation).
 *
 * @param steps {@code steps.get(b)}: steps that verified b drafts; the last entry is not 0
 */
public record BudgetDistribution(List<Long> steps) {

  /** Copies the list. */
  public BudgetDistribution {
    steps = List.copyOf(steps);
  }

  /** The distribution over every step of {@code runs}. */
  public static BudgetDistribution of(List<PromptRun> runs) {
    List<Long> counts = new ArrayList<>();
    for (PromptRun run : runs) {
      for (StepRecord step : run.steps()) {
        int b = step.budget();
        while (counts.size() <= b) {
          counts.add(0L);
        }
        counts.set(b, counts.get(b) + 1);
      }
    }
    return new BudgetDistribution(counts);
  }

  /** All steps. */
  public long total() {
    return steps.stream().mapToLong(Long::longValue).sum();
  }

  /** Mean drafts verified per step; {@code NaN} without steps. */
  public double mean() {
    long total = total();
    long sum = 0;
    for (int b = 0; b < steps.size(); b++) {
      sum += b * steps.get(b);
    }
    return total == 0 ? Double.NaN : (double) sum / total;
  }

  /** The share of plain steps (budget 0); {@code NaN} without steps. */
  public double plainShare() {
    long total = total();
    return total == 0 || steps.isEmpty() ? Double.NaN : (double) steps.get(0) / total;
  }
}
