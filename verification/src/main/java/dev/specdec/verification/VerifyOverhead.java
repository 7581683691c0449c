package dev.specdec.verification;

import dev.specdec.drafting.Drafter;
import dev.specdec.drafting.Proposal;
import dev.specdec.drafting.TokenContext;
import dev.specdec.model.CausalLm;
import dev.specdec.tree.TokenTree;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a verification step costs beyond its target pass, per token count T: the acceptance rule
 * over T positions, the cache commit and the loop's bookkeeping, in steady decoding, as nanoseconds
 * over what {@link PassCost} says the pass alone costs. Interpolated linearly in T, flat beyond the
 * grid.
 *
 * <p>Why it is measured apart from the pass: {@link PassCost} times bare forward passes in short
 * blocks, and a decoding step does more with every token it verifies. Predicting a configuration's
 * speed from its step records ({@code SpeedPrediction}) needs that work priced per T; taking it
 * from the runs being predicted would be circular, so it is probed on the target alone with a
 * filler drafter whose chains the target rejects.
 *
 * @param tokens the probed token counts, strictly increasing, starting at 1
 * @param nanos the median extra nanoseconds per step at each count (may be negative: steady passes
 *     can run below the probe's short blocks)
 */
public record VerifyOverhead(int[] tokens, double[] nanos) {

  /** The counts a probe measures: chains of 0 .. 64 drafts. */
  public static final int[] PROBE_TOKENS = {1, 2, 3, 5, 9, 17, 33, 65};

  /** No overhead at any count: the pass is all a step costs. */
  public static final VerifyOverhead NONE = new VerifyOverhead(new int[] {1}, new double[] {0});

  private static final int UNTIMED_STEPS = 4;
  private static final int TIMED_STEPS = 10;

  /** Validates the grid and copies the arrays. */
  public VerifyOverhead {
    tokens = tokens.clone();
    nanos = nanos.clone();
    if (tokens.length == 0 || tokens[0] != 1 || tokens.length != nanos.length) {
      throw new IllegalArgumentException(
          "tokens must start at 1 and match nanos, were "
              + Arrays.toString(tokens)
              + " and "
              + Arrays.toString(nanos));
    }
    for (int i = 1; i < tokens.length; i++) {
      if (tokens[i] <= tokens[i - 1]) {
        throw new IllegalArgumentException(
            "tokens must increase strictly, was " + Arrays.toString(tokens));
      }
    }
    for (double v : nanos) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("nanos must be finite, was " + v);
      }
    }
  }

  /** The extra nanoseconds of a step verifying {@code tokens} tokens (root included). */
  public double nanos(int tokens) {
    if (tokens < 1) {
      throw new IllegalArgumentException("tokens must be >= 1, was " + tokens);
    }
    int n = this.tokens.length;
    if (tokens >= this.tokens[n - 1]) {
      return nanos[n - 1];
    }
    int hi = 1;
    while (this.tokens[hi] < tokens) {
      hi++;
    }
    int lo = hi - 1;
    double w = (double) (tokens - this.tokens[lo]) / (this.tokens[hi] - this.tokens[lo]);
    return nanos[lo] + w * (nanos[hi] - nanos[lo]);
  }

  /**
   * Measures {@code target}'s verification steps against {@code cost}: per count T of {@link
   * #PROBE_TOKENS} (those the model's capacity allows), a greedy decode after {@code past} filler
   * positions whose drafter proposes a chain of T − 1 filler tokens each step; the median of the
   * timed steps' verify time minus the pass cost at their past. Leaves the model's cache empty.
   *
   * @throws IllegalArgumentException when {@code past} leaves no room for the probe
   */
  public static VerifyOverhead probe(CausalLm target, PassCost cost, int past) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(cost, "cost");
    int steps = UNTIMED_STEPS + TIMED_STEPS;
    int vocab = target.info().vocabSize();
    int[] prompt = new int[past + 1];
    for (int i = 0; i < prompt.length; i++) {
      prompt[i] = 1 + i % Math.max(1, vocab - 1);
    }
    List<Integer> measured = new ArrayList<>();
    List<Double> medians = new ArrayList<>();
    for (int t : PROBE_TOKENS) {
      if (t - 1 > SpeculativeDecoder.MAX_DRAFT_TOKENS
          || prompt.length + steps + 2 * t > target.capacity()) {
        break;
      }
      SpeculativeDecoder decoder =
          SpeculativeDecoder.builder(target)
              .drafter(new FillerChain(vocab))
              .draftTokens(t - 1)
              .build();
      List<Double> extra = new ArrayList<>();
      decoder.generate(
          prompt,
          // Rejected chains emit one token a step; t more keep the last steps' chains whole.
          GenerationRequest.of(steps + t, 0),
          token -> {},
          step -> {
            if (step.step() >= UNTIMED_STEPS && step.tree().size() == t) {
              int at = prompt.length - 1 + step.emittedBefore();
              extra.add(step.verifyNanos() - cost.nanos(t, at));
            }
          });
      if (extra.size() >= TIMED_STEPS / 2) {
        extra.sort(null);
        measured.add(t);
        medians.add(extra.get(extra.size() / 2));
      }
    }
    target.truncate(0);
    if (measured.isEmpty() || measured.get(0) != 1) {
      throw new IllegalArgumentException(
          "the model's capacity of "
              + target.capacity()
              + " leaves no room to probe after "
              + past);
    }
    return new VerifyOverhead(
        measured.stream().mapToInt(Integer::intValue).toArray(),
        medians.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** Drafts chains of filler tokens, which a target rejects (almost) always. */
  private static final class FillerChain implements Drafter {
    private final int vocab;

    FillerChain(int vocab) {
      this.vocab = vocab;
    }

    @Override
    public Proposal propose(TokenContext context, int maxDrafts) {
      int[] ids = new int[maxDrafts + 1];
      ids[0] = context.last();
      for (int i = 1; i < ids.length; i++) {
        ids[i] = (context.last() + 7 * i) % vocab;
      }
      return Proposal.deterministic(TokenTree.chainOf(ids));
    }

    @Override
    public void accepted(int[] path) {}

    @Override
    public String name() {
      return "filler-chain";
    }

    @Override
    public void reset() {}
  }

  /** The probed counts (a copy). */
  @Override
  public int[] tokens() {
    return tokens.clone();
  }

  /** The measured extras (a copy). */
  @Override
  public double[] nanos() {
    return nanos.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerifyOverhead v
        && Arrays.equals(tokens, v.tokens)
        && Arrays.equals(nanos, v.nanos);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(nanos);
  }

  @Override
  public String toString() {
    return "VerifyOverhead[tokens="
        + Arrays.toString(tokens)
        + ", nanos="
        + Arrays.toString(nanos)
        + "]";
  }
}
