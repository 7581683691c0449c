package dev.specdec.eval;

import dev.specdec.sampling.SamplingConfig;
import java.util.List;
import java.util.Locale;

/**
 * How a {@link BundleDecoder} sizes each step's draft: {@code fixed} drafts the configured k or
 * tree every step; {@code auto} drafts what pays on this machine, measured by a {@link
 * dev.specdec.verification.PassCost} probe (see {@link dev.specdec.verification.BudgetPolicy}).
 */
public enum BudgetMode {
  /** The configured k or tree every step. */
  FIXED,
  /** Cost-aware adaptive budgets, with speculation turned off where it does not pay. */
  AUTO;

  /**
   * The budget of options that set none: {@link #AUTO} for greedy decoding, whose output does not
   * depend on how much is drafted, and {@link #FIXED} when sampling, so that a seed reproduces its
   * output run to run.
   */
  public static BudgetMode defaultFor(SamplingConfig sampling) {
    return sampling.isGreedy() ? AUTO : FIXED;
  }

  /**
   * Reads {@code fixed} or {@code auto} (any case).
   *
   * @throws IllegalArgumentException naming the valid values
   */
  public static BudgetMode parse(String text) {
    for (BudgetMode mode : values()) {
      if (mode.toString().equalsIgnoreCase(text.strip())) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "unknown budget '" + text + "', expected one of " + List.of(values()));
  }

  /** {@code fixed} or {@code auto}, as the command line and specs write it. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
