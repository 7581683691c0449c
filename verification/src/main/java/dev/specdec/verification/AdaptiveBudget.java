package dev.specdec.verification;

import dev.specdec.drafting.DraftStop;
import dev.specdec.drafting.Proposal;
import dev.specdec.tree.TokenTree;
import java.util.Arrays;

/**
 * The state of {@link BudgetPolicy.Auto} for one decoder: sizes each step's draft from the cost
 * model, the drafter's confidences and what the target accepted so far. It lives as long as the
 * decoder, so what one generation learned (costs, calibration, whether speculation pays) carries
 * over to the next; older observations fade.
 *
 * <p>One step: {@link #cap} says how many drafts the drafter may propose (0 while speculation is
 * off, the loop's cap otherwise); {@link #deeper} stops a chain drafter once one more level no
 * longer pays; {@link #choose} keeps the nodes whose expected acceptance pays for their verify
 * cost; {@link #observe} learns from the verdict. Every decision reads only the history and the
 * proposal, never the target's pass of this step.
 *
 * <p><b>Choosing nodes.</b> A node's value is the product of the calibrated conditionals along its
 * path (EAGLE-2's path score, calibrated). With deterministic drafts the nodes are ranked by value
 * (ties by index) and the best N kept that maximise (1 + sum of values) / (draft cost + verify
 * cost(N + 1)); a child's value never exceeds its parent's and its index is larger, so every prefix
 * of the ranking is a subtree. With <em>sampled</em> drafts the best-N rule would let a node's own
 * draw decide whether it is verified (through its descendants' values), which breaks rejection
 * sampling; there a node is kept when its parent is and its value reaches a threshold fixed before
 * the step (the last step's expected rate times the marginal cost of a token), so keeping a node
 * depends on its ancestors only.
 *
 * <p><b>Turning off.</b> The tokens per second of drafting steps (an average over recent steps of
 * accepted + 1 over the measured time of the whole step) is compared with a plain step's (measured
 * while off; before that, the modelled verify time plus the loop's measured work outside drafting
 * and verifying); when it falls below, steps go plain (the drafter is asked for 0 drafts, which
 * costs it nothing), and every {@code probeInterval} plain steps one drafting step probes again; a
 * failed probe doubles the interval (4 up to 128), a successful one turns speculation back on. A
 * probe drafts at most {@link #PROBE_DRAFTS} tokens.
 */
final class AdaptiveBudget {
  static final int MIN_PROBE_INTERVAL = 4;
  static final int MAX_PROBE_INTERVAL = 128;

  /** A probe drafts little: it asks whether drafting pays, not how much. */
  static final int PROBE_DRAFTS = 2;

  static final int LOOKAHEAD = 4;
  private static final double RATE_WEIGHT = 0.25;
  private static final double PROBE_WEIGHT = 0.5;
  private static final double DRIFT_WEIGHT = 0.1;
  private static final int MIN_STEPS_BEFORE_OFF = 3;

  private final PassCost target;
  private final AcceptanceCalibration calibration = new AcceptanceCalibration();
  private final DraftCostFit draftCost;
  private final DraftStop stop = this::deeper;
  private double drift; // observed over modelled verify time, all token counts
  // Per token count T (index T - 1): the same ratio for passes of T tokens, NaN until one ran.
  // The probe's curve is measured in short blocks; decoding runs one shape for long stretches and
  // can sit well off it (a steady single-token pass runs faster than the probe's), so the counts
  // that are actually verified follow what they cost.
  private final double[] driftByTokens = new double[SpeculativeDecoder.MAX_DRAFT_TOKENS + 1];

  private boolean off;
  private int plainSteps;
  private int probeInterval = MIN_PROBE_INTERVAL;
  private int draftingSteps;
  private double rateTokens = Double.NaN; // recent drafting steps: tokens emitted
  private double rateNanos = Double.NaN; // and their whole step time
  private double plainNanos = Double.NaN; // recent plain steps' whole step time
  private double overhead; // a step's time outside drafting and verifying (the loop's own work)
  private double lastRate = Double.NaN; // the expected rate of the last chosen draft

  // The step in progress.
  private int past;
  private boolean drafting;
  private boolean probing;
  private double chainValue;
  private double chainExpected;
  private double chainBest;
  private double expected = 1;

  /**
   * @param drift the observed over modelled verify time carried over from earlier generations
   */
  AdaptiveBudget(BudgetPolicy.Auto policy, int pastHint, double drift) {
    this.target = policy.target();
    this.drift = drift;
    java.util.Arrays.fill(driftByTokens, Double.NaN);
    this.past = pastHint;
    this.draftCost =
        new DraftCostFit(policy.draft().map(d -> d.nanos(1, pastHint)).orElse(Double.NaN));
  }

  /**
   * A new generation starts: what was learned stays (the machine and the drafter are the same, and
   * the calibration fades as the new text is verified), and so does the probe schedule.
   */
  void startGeneration() {
    probing = false;
  }

  /** The most drafts the drafter may propose this step: 0 for a plain step. */
  int cap(int maxDrafts, int pastLength) {
    past = pastLength;
    probing = false;
    chainValue = 1;
    chainExpected = 1;
    chainBest = 0;
    expected = 1;
    drafting = maxDrafts > 0;
    if (!drafting) {
      return 0;
    }
    if (off) {
      if (++plainSteps < probeInterval) {
        drafting = false;
        return 0;
      }
      plainSteps = 0;
      probing = true;
    }
    chainBest = rate(1, 0);
    return probing ? Math.min(maxDrafts, PROBE_DRAFTS) : maxDrafts;
  }

  /** The stop rule chain drafters consult this step. */
  DraftStop stop() {
    return stop;
  }

  /** Whether this step probes while speculation is off. */
  boolean isProbing() {
    return probing;
  }

  /** Whether speculation is off (plain steps, with a probe now and then). */
  boolean isOff() {
    return off;
  }

  /** The expected tokens (accepted + 1) of the draft chosen this step. */
  double expectedTokens() {
    return expected;
  }

  /** The observed over modelled verify time, for the next generation. */
  double drift() {
    return drift;
  }

  /** Modelled nanoseconds of verifying {@code tokens} tokens this step. */
  double verifyNanos(int tokens) {
    double ratio = tokens <= driftByTokens.length ? driftByTokens[tokens - 1] : Double.NaN;
    return target.nanos(tokens, past) * (Double.isNaN(ratio) ? drift : ratio);
  }

  private double rate(double tokens, int drafts) {
    return tokens / (overhead + draftCost.nanos(drafts) + verifyNanos(drafts + 1));
  }

  /** What a plain step costs: as measured lately, else as modelled. */
  private double plainStepNanos() {
    return Double.isNaN(plainNanos) ? overhead + verifyNanos(1) : plainNanos;
  }

  /** One more chain level after the node at {@code depth}: does one within the lookahead pay? */
  boolean deeper(int depth, float confidence) {
    chainValue *= calibration.conditional(depth, confidence);
    chainExpected += chainValue;
    chainBest = Math.max(chainBest, rate(chainExpected, depth));
    double value = chainValue;
    double tokens = chainExpected;
    for (int j = 1; j <= LOOKAHEAD; j++) {
      // The next levels' confidences are unknown: guess this level's, calibrated at their depth.
      value *= calibration.conditional(depth + j, confidence);
      tokens += value;
      if (rate(tokens, depth + j) > chainBest) {
        return true;
      }
    }
    return false;
  }

  /**
   * The nodes of {@code proposal} to verify, strictly increasing from the root; the whole tree when
   * all of it pays.
   */
  int[] choose(Proposal proposal) {
    TokenTree tree = proposal.tree();
    int n = tree.size();
    if (!drafting || n == 1) {
      expected = 1;
      return all(n);
    }
    double[] value = new double[n];
    value[0] = 1;
    boolean sampled = false;
    for (int i = 1; i < n; i++) {
      value[i] =
          value[tree.parent(i)] * calibration.conditional(tree.depth(i), proposal.confidenceOf(i));
    }
    for (int i = 0; i < n && !sampled; i++) {
      sampled = tree.firstChild(i) >= 0 && proposal.draftDistribution(i) != null;
    }
    int drafts = n - 1;
    boolean[] keep = new boolean[n];
    keep[0] = true;
    if (sampled) {
      double rate = Double.isNaN(lastRate) ? rate(1, drafts) : lastRate;
      double threshold = rate * (verifyNanos(9) - verifyNanos(1)) / 8;
      for (int i = 1; i < n; i++) {
        keep[i] = keep[tree.parent(i)] && value[i] >= threshold;
      }
      if (probing && tree.firstChild(0) > 0) {
        keep[tree.firstChild(0)] = true;
      }
    } else {
      Integer[] order = new Integer[n - 1];
      for (int i = 1; i < n; i++) {
        order[i - 1] = i;
      }
      Arrays.sort(
          order, (a, b) -> value[a] != value[b] ? Double.compare(value[b], value[a]) : a - b);
      double sunk = overhead + draftCost.nanos(drafts);
      double tokens = 1;
      double bestRate = 1 / (sunk + verifyNanos(1));
      int best = probing ? 1 : 0;
      for (int k = 1; k <= order.length; k++) {
        tokens += value[order[k - 1]];
        double r = tokens / (sunk + verifyNanos(k + 1));
        if (r > bestRate) {
          bestRate = r;
          best = Math.max(best, k);
        }
      }
      for (int k = 0; k < best; k++) {
        keep[order[k]] = true;
      }
    }
    int kept = 0;
    double tokens = 0;
    for (int i = 0; i < n; i++) {
      if (keep[i]) {
        kept++;
        tokens += value[i];
      }
    }
    int[] nodes = new int[kept];
    for (int i = 0, k = 0; i < n; i++) {
      if (keep[i]) {
        nodes[k++] = i;
      }
    }
    expected = tokens;
    lastRate = tokens / (overhead + draftCost.nanos(drafts) + verifyNanos(kept));
    return nodes;
  }

  /**
   * Learns from one verified step.
   *
   * @param verified the proposal the target verified (after pruning)
   * @param path its accepted path
   * @param draftNanos the drafter's time this step
   * @param verifyNanos the target pass, acceptance and commit
   * @param stepNanos the whole step, from proposing to the last token handed on
   * @param proposedDrafts drafts the drafter proposed before pruning
   */
  void observe(
      Proposal verified,
      int[] path,
      long draftNanos,
      long verifyNanos,
      long stepNanos,
      int proposedDrafts) {
    TokenTree tree = verified.tree();
    int t = tree.size();
    double ratio = Math.max(0.25, Math.min(4, verifyNanos / target.nanos(t, past)));
    drift += DRIFT_WEIGHT * (ratio - drift);
    if (t <= driftByTokens.length) {
      double known = driftByTokens[t - 1];
      driftByTokens[t - 1] = Double.isNaN(known) ? ratio : known + DRIFT_WEIGHT * (ratio - known);
    }
    double outside = Math.max(0, stepNanos - draftNanos - verifyNanos);
    overhead += DRIFT_WEIGHT * (outside - overhead);
    if (!drafting) {
      plainNanos =
          Double.isNaN(plainNanos)
              ? stepNanos
              : plainNanos + RATE_WEIGHT * (stepNanos - plainNanos);
      return;
    }
    boolean[] onPath = new boolean[t];
    for (int node : path) {
      onPath[node] = true;
    }
    calibration.decay();
    for (int i = 1; i < t; i++) {
      if (onPath[tree.parent(i)]) {
        calibration.observe(tree.depth(i), verified.confidenceOf(i), onPath[i]);
      }
    }
    draftCost.observe(proposedDrafts, draftNanos);
    draftingSteps++;
    // Measured, not modelled: what the step really cost, the loop's own work included.
    double weight = probing ? PROBE_WEIGHT : RATE_WEIGHT;
    if (Double.isNaN(rateTokens)) {
      rateTokens = path.length;
      rateNanos = stepNanos;
    } else {
      rateTokens += weight * (path.length - rateTokens);
      rateNanos += weight * (stepNanos - rateNanos);
    }
    double draftRate = rateTokens / rateNanos;
    double plainRate = 1 / plainStepNanos();
    if (probing) {
      if (draftRate > plainRate) {
        off = false;
        probeInterval = MIN_PROBE_INTERVAL;
      } else {
        probeInterval = Math.min(2 * probeInterval, MAX_PROBE_INTERVAL);
      }
    } else if (!off && draftingSteps >= MIN_STEPS_BEFORE_OFF && draftRate < plainRate) {
      off = true;
      plainSteps = 0;
    }
  }

  private static int[] all(int n) {
    int[] nodes = new int[n];
    for (int i = 0; i < n; i++) {
      nodes[i] = i;
    }
    return nodes;
  }
}
