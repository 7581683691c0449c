package dev.specdec;

import dev.specdec.sampling.SamplingConfig;

/**
 * How a generation sizes each step's draft (see {@link GenerateOptions#budget}).
 *
 * <ul>
 *   <li>{@link #FIXED}: the drafter's k or tree every step, reproducible run to run.
 *   <li>{@link #AUTO}: each step drafts what pays on this machine: chains stop early, trees are
 *       pruned to their best nodes, and speculation turns itself off where no draft beats a plain
 *       step. Costs come from a short probe of the models, cached per model file, device and thread
 *       setting under {@code ~/.cache/specdec/pass-costs}. Greedy output is still identical to
 *       plain decoding and sampling still exact; sampled output may differ between runs of one seed
 *       because the choices follow measured times.
 * </ul>
 */
public enum Budget {
  /** The drafter's own k or tree every step. */
  FIXED,
  /** Cost-aware adaptive budgets. */
  AUTO;

  /**
   * The budget of a generation that sets none: {@link #AUTO} for greedy decoding, whose output does
   * not depend on how much is drafted, and {@link #FIXED} when sampling, so that a seed reproduces
   * its output run to run.
   */
  public static Budget defaultFor(SamplingConfig sampling) {
    return sampling.isGreedy() ? AUTO : FIXED;
  }
}
