package dev.specdec.verification;

/**
 * The drafter's cost per proposal, {@code fixed + perDraft * drafts} nanoseconds, fitted online to
 * observed propose times by least squares with exponential forgetting. When the per-draft cost is
 * known (a draft model's single-token pass), only the fixed part is fitted.
 */
final class DraftCostFit {
  private static final double FORGET = 0.9;
  private final double knownPerDraft; // NaN: fit it
  private double w;
  private double sx;
  private double sy;
  private double sxx;
  private double sxy;

  /** A fit with a known per-draft cost, or {@code NaN} to fit both parts. */
  DraftCostFit(double knownPerDraft) {
    this.knownPerDraft = knownPerDraft;
  }

  /** One proposal of {@code drafts} drafts took {@code nanos}. */
  void observe(int drafts, double nanos) {
    w = FORGET * w + 1;
    sx = FORGET * sx + drafts;
    sy = FORGET * sy + nanos;
    sxx = FORGET * sxx + (double) drafts * drafts;
    sxy = FORGET * sxy + drafts * nanos;
  }

  /** The per-draft part (0 until there is something to fit it on). */
  double perDraft() {
    if (!Double.isNaN(knownPerDraft)) {
      return knownPerDraft;
    }
    double var = w * sxx - sx * sx;
    if (w < 2 || var <= 1e-9 * w * w) {
      return 0;
    }
    return Math.max(0, (w * sxy - sx * sy) / var);
  }

  /** The fixed part per proposal (0 before any observation). */
  double fixed() {
    if (w == 0) {
      return 0;
    }
    return Math.max(0, (sy - perDraft() * sx) / w);
  }

  /** Estimated nanoseconds of a proposal of {@code drafts} drafts. */
  double nanos(int drafts) {
    return fixed() + perDraft() * drafts;
  }
}
