package dev.specdec.eval;

import java.util.Objects;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.apache.commons.math3.stat.interval.WilsonScoreInterval;

/**
 * A 95 % confidence interval; both ends {@code NaN} when there is too little data to give one.
 *
 * @param lower the lower end
 * @param upper the upper end, {@code >= lower} when both are numbers
 */
public record ConfidenceInterval(double lower, double upper) {
  /** The confidence level of every interval in specdec's reports. */
  public static final double LEVEL = 0.95;

  /** The interval for too little data. */
  public static final ConfidenceInterval UNKNOWN = new ConfidenceInterval(Double.NaN, Double.NaN);

  /** Validates the order of the ends. */
  public ConfidenceInterval {
    if (lower > upper) {
      throw new IllegalArgumentException("lower end " + lower + " above upper end " + upper);
    }
  }

  /** True when both ends are finite numbers. */
  public boolean isKnown() {
    return Double.isFinite(lower) && Double.isFinite(upper);
  }

  /**
   * Student's t-interval of the mean of {@code values}: mean ± t(0.975, n − 1) · s / √n. Needs at
   * least two values ({@link #UNKNOWN} otherwise); a zero spread gives a zero-width interval. It
   * treats the values (one per prompt) as independent draws, which prompts of a set are.
   */
  public static ConfidenceInterval ofMean(double[] values) {
    Objects.requireNonNull(values, "values");
    SummaryStatistics stats = new SummaryStatistics();
    for (double v : values) {
      stats.addValue(v);
    }
    long n = stats.getN();
    if (n < 2) {
      return UNKNOWN;
    }
    double t = new TDistribution(n - 1).inverseCumulativeProbability(1 - (1 - LEVEL) / 2);
    double half = t * stats.getStandardDeviation() / Math.sqrt(n);
    return new ConfidenceInterval(stats.getMean() - half, stats.getMean() + half);
  }

  /**
   * Wilson's score interval of a proportion of {@code successes} in {@code trials}; {@link
   * #UNKNOWN} for no trials. It treats the trials (drafted tokens) as independent, which drafts of
   * one step are not (a rejection ends the path), so it is narrower than the truth: read it as a
   * floor on the uncertainty.
   */
  public static ConfidenceInterval ofProportion(long trials, long successes) {
    if (successes < 0 || successes > trials) {
      throw new IllegalArgumentException(
          "successes must be in [0, trials = " + trials + "], was " + successes);
    }
    if (trials == 0) {
      return UNKNOWN;
    }
    if (trials > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("more than 2^31 - 1 trials: " + trials);
    }
    var interval = new WilsonScoreInterval().createInterval((int) trials, (int) successes, LEVEL);
    return new ConfidenceInterval(interval.getLowerBound(), interval.getUpperBound());
  }
}
