package dev.specdec.eval;

/**
 * Whether a generated output has fallen into a repetition loop: its last {@value #WINDOW} tokens
 * are one unit of at most {@value #MAX_PERIOD} tokens repeated, i.e. for some period p in [1,
 * {@value #MAX_PERIOD}] every one of those tokens equals the token p before it within the window
 * ({@code w[j] == w[j - p]} for j in [p, {@value #WINDOW})). An output of fewer than {@value
 * #WINDOW} tokens is never degenerate.
 *
 * <p>Why it matters: a loop is the easiest text there is to draft (prompt lookup copies it, a draft
 * model repeats it), so an undertrained target that loops inflates acceptance rates and speedups.
 * {@link EvalMetrics} reports how many outputs loop and the acceptance without them. A window of 48
 * holds at least six repetitions of the longest unit, which ordinary code (a run of closing braces
 * aside) does not produce by chance.
 */
public final class DegenerateLoop {
  /** Trailing tokens examined. */
  public static final int WINDOW = 48;

  /** The longest repeated unit that counts as a loop. */
  public static final int MAX_PERIOD = 8;

  private DegenerateLoop() {}

  /**
   * The smallest period in [1, {@value #MAX_PERIOD}] of the last {@value #WINDOW} tokens of {@code
   * generated}, or 0 when there is none or the output is shorter than {@value #WINDOW}.
   *
   * @param generated the new tokens only (no prompt)
   */
  public static int period(int[] generated) {
    int start = generated.length - WINDOW;
    if (start < 0) {
      return 0;
    }
    for (int p = 1; p <= MAX_PERIOD; p++) {
      boolean periodic = true;
      for (int i = start + p; i < generated.length && periodic; i++) {
        periodic = generated[i] == generated[i - p];
      }
      if (periodic) {
        return p;
      }
    }
    return 0;
  }

  /** Whether {@code generated} ends in a loop: {@link #period} is not 0. */
  public static boolean isDegenerate(int[] generated) {
    return period(generated) > 0;
  }
}
