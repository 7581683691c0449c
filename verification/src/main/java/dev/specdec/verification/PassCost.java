package dev.specdec.verification;

import dev.specdec.model.CausalLm;
import dev.specdec.tree.TokenTree;
import java.util.Arrays;
import java.util.Objects;

/**
 * What one pass of a model costs on this machine: wall nanoseconds to run T tokens on top of P
 * cached positions, measured at a grid of T for two past lengths and interpolated (piecewise linear
 * in T, linear in P). The adaptive budget weighs a draft's expected accepted tokens against it.
 *
 * <p>Beyond the grid the cost is extrapolated along the last segment (in T) or the line through the
 * two past lengths (in P), and never falls below the cost of one token at the smaller past.
 *
 * @param key what the cost was measured for (model file, device, threads); the cache checks it
 * @param tokens the measured token counts, strictly increasing, starting at 1
 * @param pasts the two past lengths, strictly increasing, {@code >= 0}
 * @param nanos {@code (pasts.length, tokens.length)} median nanoseconds per pass, all {@code > 0}
 */
public record PassCost(String key, int[] tokens, int[] pasts, double[][] nanos) {

  /** The token counts a probe measures by default. */
  public static final int[] PROBE_TOKENS = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32};

  private static final int WARMUP_PASSES = 20;
  private static final int UNTIMED_PER_BLOCK = 2;
  private static final int TIMED_PER_BLOCK = 3;

  /** Validates the grid and copies the arrays. */
  public PassCost {
    Objects.requireNonNull(key, "key");
    tokens = tokens.clone();
    pasts = pasts.clone();
    if (tokens.length == 0 || tokens[0] != 1) {
      throw new IllegalArgumentException("tokens must start at 1, was " + Arrays.toString(tokens));
    }
    for (int i = 1; i < tokens.length; i++) {
      if (tokens[i] <= tokens[i - 1]) {
        throw new IllegalArgumentException(
            "tokens must increase strictly, was " + Arrays.toString(tokens));
      }
    }
    if (pasts.length != 2 || pasts[0] < 0 || pasts[1] <= pasts[0]) {
      throw new IllegalArgumentException(
          "pasts must be two increasing lengths >= 0, was " + Arrays.toString(pasts));
    }
    if (nanos.length != 2) {
      throw new IllegalArgumentException("nanos needs one row per past, had " + nanos.length);
    }
    double[][] copy = new double[2][];
    for (int p = 0; p < 2; p++) {
      if (nanos[p].length != tokens.length) {
        throw new IllegalArgumentException(
            "nanos row " + p + " has " + nanos[p].length + " entries for " + tokens.length);
      }
      for (double v : nanos[p]) {
        if (!(v > 0) || Double.isInfinite(v)) {
          throw new IllegalArgumentException("nanos must be finite and > 0, was " + v);
        }
      }
      copy[p] = nanos[p].clone();
    }
    nanos = copy;
  }

  /**
   * A cost that grows linearly: {@code base + perToken * (T - 1)} at every past length; for tests
   * and for a cost given by hand.
   */
  public static PassCost linear(double base, double perToken) {
    int[] t = {1, 2};
    return new PassCost(
        "linear",
        t,
        new int[] {0, 1},
        new double[][] {{base, base + perToken}, {base, base + perToken}});
  }

  /**
   * Measures {@code model}: for each of the two past lengths, a prefill of that many positions,
   * then {@code repeats} rounds over {@code tokens} (each a chain pass, uncommitted), after one
   * untimed warm-up pass per count; the median per cell. Leaves the model's cache empty.
   *
   * @param tokens the counts to measure, as {@link #PROBE_TOKENS}
   * @param pasts two increasing past lengths; the larger plus the largest count must fit the model
   * @throws IllegalArgumentException when the grid does not fit the model's capacity
   */
  public static PassCost probe(CausalLm model, String key, int[] tokens, int[] pasts, int repeats) {
    Objects.requireNonNull(model, "model");
    if (repeats < 1) {
      throw new IllegalArgumentException("repeats must be >= 1, was " + repeats);
    }
    int largest = tokens[tokens.length - 1];
    if (pasts.length != 2 || pasts[1] + largest > model.capacity()) {
      throw new IllegalArgumentException(
          "probe of "
              + largest
              + " tokens after "
              + Arrays.toString(pasts)
              + " past positions does not fit the model's "
              + model.capacity());
    }
    int vocab = model.info().vocabSize();
    double[][] nanos = new double[2][tokens.length];
    try {
      for (int p = 0; p < 2; p++) {
        model.truncate(0);
        if (pasts[p] > 0) {
          model.forward(TokenTree.chainOf(filler(pasts[p], vocab)));
          model.commitPrefix(pasts[p]);
        }
        // Rounds over all counts, each count run as a short block whose first passes are
        // untimed (the passes right after a shape change run slower than steady ones, and decoding
        // mostly repeats a shape). Rounds spread the machine's noise over the counts. Decoding
        // corrects the curve per count from the passes it times (AdaptiveBudget).
        TokenTree[] chains = new TokenTree[tokens.length];
        for (int t = 0; t < tokens.length; t++) {
          chains[t] = TokenTree.chainOf(filler(tokens[t], vocab));
        }
        for (int w = 0; w < WARMUP_PASSES; w++) {
          model.forward(chains[w % chains.length]);
        }
        long[][] samples = new long[tokens.length][repeats * TIMED_PER_BLOCK];
        for (int r = 0; r < repeats; r++) {
          for (int t = 0; t < tokens.length; t++) {
            for (int u = 0; u < UNTIMED_PER_BLOCK; u++) {
              model.forward(chains[t]);
            }
            for (int b = 0; b < TIMED_PER_BLOCK; b++) {
              long start = System.nanoTime();
              model.forward(chains[t]);
              samples[t][r * TIMED_PER_BLOCK + b] = System.nanoTime() - start;
            }
          }
        }
        for (int t = 0; t < tokens.length; t++) {
          Arrays.sort(samples[t]);
          nanos[p][t] = Math.max(1, samples[t][samples[t].length / 2]);
        }
        // A pass over fewer tokens never costs more than one over more (it could be padded), so
        // noise that says otherwise is cut: each cell is at most every cell to its right.
        for (int t = tokens.length - 2; t >= 0; t--) {
          nanos[p][t] = Math.min(nanos[p][t], nanos[p][t + 1]);
        }
      }
    } finally {
      model.truncate(0);
    }
    return new PassCost(key, tokens, pasts, nanos);
  }

  /** The default probe: {@link #PROBE_TOKENS} at pasts 32 and min(384, capacity - 40), 3 rounds. */
  public static PassCost probe(CausalLm model, String key) {
    int capacity = model.capacity();
    int largest = PROBE_TOKENS[PROBE_TOKENS.length - 1];
    int high = Math.min(384, capacity - largest - 8);
    int low = Math.min(32, high / 2);
    return probe(model, key, PROBE_TOKENS, new int[] {low, high}, 3);
  }

  private static int[] filler(int length, int vocab) {
    int[] ids = new int[length];
    for (int i = 0; i < length; i++) {
      ids[i] = 1 + i % Math.max(1, vocab - 1);
    }
    return ids;
  }

  /** Estimated nanoseconds of one pass over {@code tokens} tokens after {@code past} positions. */
  public double nanos(int tokens, int past) {
    if (tokens < 1) {
      throw new IllegalArgumentException("tokens must be >= 1, was " + tokens);
    }
    double low = inT(0, tokens);
    double high = inT(1, tokens);
    double w = (double) (past - pasts[0]) / (pasts[1] - pasts[0]);
    double v = low + w * (high - low);
    return Math.max(v, Math.min(nanos[0][0], nanos[1][0]));
  }

  /** A pass over {@code tokens} tokens relative to a single-token pass at the same past. */
  public double relative(int tokens, int past) {
    return nanos(tokens, past) / nanos(1, past);
  }

  /** This cost with every cell multiplied by {@code factor} ({@code > 0}): a rescaled machine. */
  public PassCost scaled(double factor) {
    if (!(factor > 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("factor must be finite and > 0, was " + factor);
    }
    double[][] out = new double[2][];
    for (int p = 0; p < 2; p++) {
      out[p] = nanos[p].clone();
      for (int t = 0; t < out[p].length; t++) {
        out[p][t] *= factor;
      }
    }
    return new PassCost(key, tokens, pasts, out);
  }

  private double inT(int row, int t) {
    double[] y = nanos[row];
    int n = tokens.length;
    if (n == 1) {
      return y[0];
    }
    int hi = 1;
    while (hi < n - 1 && tokens[hi] < t) {
      hi++;
    }
    int lo = hi - 1;
    double slope = (y[hi] - y[lo]) / (tokens[hi] - tokens[lo]);
    return y[lo] + slope * (t - tokens[lo]);
  }

  /** The token counts (a copy). */
  @Override
  public int[] tokens() {
    return tokens.clone();
  }

  /** The two past lengths (a copy). */
  @Override
  public int[] pasts() {
    return pasts.clone();
  }

  /** The measured cells (a copy). */
  @Override
  public double[][] nanos() {
    return new double[][] {nanos[0].clone(), nanos[1].clone()};
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PassCost c
        && key.equals(c.key)
        && Arrays.equals(tokens, c.tokens)
        && Arrays.equals(pasts, c.pasts)
        && Arrays.deepEquals(nanos, c.nanos);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        key, Arrays.hashCode(tokens), Arrays.hashCode(pasts), Arrays.deepHashCode(nanos));
  }

  @Override
  public String toString() {
    return "PassCost["
        + key
        + ", tokens="
        + Arrays.toString(tokens)
        + ", pasts="
        + Arrays.toString(pasts)
        + ", nanos="
        + Arrays.deepToString(nanos)
        + "]";
  }
}
