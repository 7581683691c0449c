package dev.specdec.verification;

import dev.specdec.drafting.Drafter;
import dev.specdec.drafting.Proposal;
import dev.specdec.drafting.TokenContext;
import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.ModelInfo;
import dev.specdec.model.RunCancelledException;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TokenTree;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import java.util.random.RandomGenerator;

/**
 * The speculative decoding loop of {@code docs/architecture.md}: draft, one target pass, verify,
 * commit, stream.
 *
 * <p>The decoder owns neither the target nor the drafter: whoever made them closes them. It holds
 * reusable buffers, so one decoder drives one generation at a time (not thread-safe).
 *
 * <p>Context budget: the context (prompt plus new tokens) never exceeds the target's capacity, so
 * every token the decoder returns could be run by the model. A prompt must leave room for at least
 * one new token; generation ends with {@link StopReason#CONTEXT_FULL} when the context holds
 * capacity tokens. When the last step both reaches {@code maxNewTokens} and fills the context,
 * {@link StopReason#MAX_NEW_TOKENS} wins.
 *
 * <p>A target that cannot take tree masks ({@link CausalLm#supportsTreeMasks()} false) verifies the
 * first root-to-leaf path of each proposed tree (see {@code FirstPath}); chains pass as they are.
 *
 * <p>With {@link BudgetPolicy.Auto} each step drafts and verifies only what pays
 * (docs/adaptive.md): the drafter is asked for at most k drafts (none while speculation is off),
 * chain drafters stop through a {@link dev.specdec.drafting.DraftStop}, and the proposal is pruned
 * to its best nodes before the target's pass; the drafter is told the accepted path in its own node
 * numbers. What the budget learns lives as long as the decoder.
 */
public final class SpeculativeDecoder {
  /** The most draft tokens a pass may take. */
  public static final int MAX_DRAFT_TOKENS = 64;

  private final CausalLm target;
  private final Drafter drafter;
  private final AcceptanceRule rule;
  private final SamplingConfig sampling;
  private final int draftTokens;
  private final TargetDistributions distributions;
  private final BudgetPolicy budget;
  // What adaptive budgets learned (costs, calibration, on/off), carried from one generation to
  // the next: the machine and the drafter stay the same. Null with a fixed budget.
  private final AdaptiveBudget planner;
  private final java.util.function.LongSupplier clock; // times the steps the budget learns from

  private SpeculativeDecoder(Builder b) {
    this.target = b.target;
    this.drafter = b.drafter;
    this.sampling = b.sampling;
    this.rule = b.rule != null ? b.rule : defaultRule(b.sampling);
    this.draftTokens = b.draftTokens;
    this.distributions = TargetDistributions.create(sampling, target.info().vocabSize());
    this.budget = b.budget;
    this.clock = b.clock;
    this.planner = budget instanceof BudgetPolicy.Auto auto ? new AdaptiveBudget(auto, 0, 1) : null;
  }

  /** How each step's draft is sized. */
  public BudgetPolicy budget() {
    return budget;
  }

  /**
   * With {@link BudgetPolicy.Auto}: the ratio of the observed verify times to the policy's pass
   * cost, as the steps so far measured it (an average that follows recent steps; 1 before any
   * step). A ratio far from 1 says the cost model no longer matches this machine.
   */
  public double observedCostRatio() {
    return planner == null ? 1 : planner.drift();
  }

  private static AcceptanceRule defaultRule(SamplingConfig sampling) {
    return sampling.isGreedy() ? AcceptanceRule.greedy() : AcceptanceRule.rejectionSampling();
  }

  /** A builder over {@code target}; defaults: no drafter, greedy sampling, k = 4. */
  public static Builder builder(CausalLm target) {
    return new Builder(Objects.requireNonNull(target, "target"));
  }

  /** The acceptance rule in use. */
  public AcceptanceRule rule() {
    return rule;
  }

  /** The drafter in use. */
  public Drafter drafter() {
    return drafter;
  }

  /** The target's warping. */
  public SamplingConfig sampling() {
    return sampling;
  }

  /** The most drafts per pass, k. */
  public int draftTokens() {
    return draftTokens;
  }

  /**
   * Generates up to {@code request.maxNewTokens()} tokens after {@code prompt}.
   *
   * <p>Resets the target cache and the drafter, prefills {@code prompt[0..L-2]} as one chain and
   * commits it, then runs steps until a stop token, {@code maxNewTokens} or a full context. Each
   * new token is passed to {@code onToken} as soon as its step is verified, in order; a stop token
   * is neither passed nor returned.
   *
   * <p>When a model pass is cancelled ({@link RunCancelledException}, from the {@link
   * dev.specdec.runtime.Cancellation} its engine was created with), generation ends with {@link
   * StopReason#INTERRUPTED}: the step that was cut short emits nothing, and the result holds the
   * tokens and counters of the steps completed before it.
   *
   * @param prompt at least one token (e.g. BOS), all in the target's vocabulary; not modified
   * @param onToken receives each new token
   * @throws IllegalArgumentException when the prompt is empty, holds a token outside the
   *     vocabulary, or leaves no room in the context
   * @throws IllegalStateException when the drafter breaks its contract (wrong root, too many
   *     drafts)
   */
  public DecodeResult generate(int[] prompt, GenerationRequest request, IntConsumer onToken) {
    return generate(prompt, request, onToken, StepListener.NONE);
  }

  /**
   * Generates as {@link #generate(int[], GenerationRequest, IntConsumer)} does and tells {@code
   * onStep} about every step: its tree, accepted path, next token and the drafter's and the
   * verifier's wall time. A step's record comes after its tokens went to {@code onToken}.
   */
  public DecodeResult generate(
      int[] prompt, GenerationRequest request, IntConsumer onToken, StepListener onStep) {
    Objects.requireNonNull(onToken, "onToken");
    return generateWhile(
        prompt,
        request,
        token -> {
          onToken.accept(token);
          return true;
        },
        onStep);
  }

  /**
   * Generates as {@link #generate(int[], GenerationRequest, IntConsumer, StepListener)} does, and
   * also ends generation, with {@link StopReason#STOP_STRING}, right after a token for which {@code
   * onToken} returns false (that token is included). When that token also reaches {@code
   * maxNewTokens} or fills the context, {@code STOP_STRING} wins.
   */
  public DecodeResult generateWhile(
      int[] prompt, GenerationRequest request, TokenSink onToken, StepListener onStep) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(onToken, "onToken");
    Objects.requireNonNull(onStep, "onStep");
    int capacity = target.capacity();
    validatePrompt(prompt, capacity);
    RandomGenerator rng = new SplittableRandom(request.seed());
    if (planner != null) {
      planner.startGeneration();
    }
    int maxNew = request.maxNewTokens();
    Context context = new Context(Math.min(capacity, prompt.length + maxNew));
    for (int t : prompt) {
      context.append(t);
    }
    int[] produced = new int[maxNew];
    int newTokens = 0;
    long[] draftedByPosition = new long[draftTokens];
    long[] acceptedByPosition = new long[draftTokens];
    int passes = 0;
    int draftingSteps = 0;
    long drafted = 0;
    long accepted = 0;

    long start = System.nanoTime();
    target.truncate(0);
    drafter.reset();
    StopReason stop = null;
    try {
      if (prompt.length > 1) {
        int[] prefix = new int[prompt.length - 1];
        System.arraycopy(prompt, 0, prefix, 0, prefix.length);
        ForwardOutput prefill = target.forward(TokenTree.chainOf(prefix));
        drafter.targetCommitting(
            0, java.util.stream.IntStream.range(0, prefix.length).toArray(), prefill);
        target.commitPrefix(prefix.length);
      }
    } catch (RunCancelledException e) {
      stop = StopReason.INTERRUPTED;
    }
    long prefillEnd = System.nanoTime();

    while (stop == null) {
      // Invariant: the target cache holds every context token but the last (the pending root).
      int n = context.length();
      int remaining = maxNew - newTokens;
      // A step emits at most drafts + 1 tokens; keep the context within capacity and stop drafting
      // tokens the request will not take.
      int maxDrafts = Math.min(draftTokens, Math.min(capacity - n - 1, remaining - 1));
      long draftStart = clock.getAsLong();
      long verifyStart;
      long verifyEnd;
      long draftEnd;
      TokenTree tree;
      Verdict verdict;
      int[] path;
      int proposed;
      double expectedTokens = Double.NaN;
      Proposal verified;
      try {
        Proposal proposal;
        int cap = maxDrafts;
        if (planner == null) {
          proposal = drafter.propose(context, maxDrafts);
        } else {
          cap = planner.cap(maxDrafts, n - 1);
          proposal = drafter.propose(context, cap, planner.stop());
        }
        verifyStart = clock.getAsLong();
        checkProposal(proposal.tree(), context.last(), cap);
        proposed = proposal.tree().draftCount();
        int[] kept = null; // the tree's nodes the verified chain keeps, when reduced
        if (!target.supportsTreeMasks() && !proposal.tree().isChain()) {
          kept = FirstPath.nodes(proposal.tree());
          proposal = FirstPath.reduce(proposal, kept);
        }
        int[] chosen = null; // the nodes the budget keeps, when it prunes
        if (planner != null) {
          int[] nodes = planner.choose(proposal);
          if (nodes.length < proposal.tree().size()) {
            chosen = nodes;
            proposal = SubTree.reduce(proposal, nodes);
          }
          expectedTokens = planner.expectedTokens();
        }
        tree = proposal.tree();
        ForwardOutput output = target.forward(tree);
        passes++;
        verdict = rule.decide(proposal, distributions.bind(output), rng);
        path = verdict.path();
        drafter.targetCommitting(n - 1, path, output);
        target.commit(path);
        verifyEnd = clock.getAsLong();
        int[] original = chosen == null ? path : SubTree.original(path, chosen);
        drafter.accepted(kept == null ? original : SubTree.original(original, kept));
        draftEnd = clock.getAsLong();
        verified = proposal;
      } catch (RunCancelledException e) {
        // A pass of the target or the drafter's model was refused or cut short: this step emits
        // nothing, and the tokens of the steps before it are the result.
        stop = StopReason.INTERRUPTED;
        break;
      }
      int emittedBefore = newTokens;

      int drafts = tree.draftCount();
      if (drafts > 0) {
        draftingSteps++;
        drafted += drafts;
        accepted += path.length - 1;
        for (int d = 0; d < tree.maxDepth(); d++) {
          draftedByPosition[d]++;
        }
        for (int d = 0; d < path.length - 1; d++) {
          acceptedByPosition[d]++;
        }
      }

      for (int i = 1; i <= path.length && stop == null; i++) {
        int token = i < path.length ? tree.token(path[i]) : verdict.nextToken();
        if (request.isStopToken(token)) {
          stop = StopReason.STOP_TOKEN;
          break;
        }
        context.append(token);
        produced[newTokens++] = token;
        if (!onToken.accept(token)) {
          stop = StopReason.STOP_STRING;
        } else if (newTokens == maxNew) {
          stop = StopReason.MAX_NEW_TOKENS;
        } else if (context.length() >= capacity) {
          stop = StopReason.CONTEXT_FULL;
        }
      }
      if (planner != null) {
        planner.observe(
            verified,
            path,
            (verifyStart - draftStart) + (draftEnd - verifyEnd),
            verifyEnd - verifyStart,
            clock.getAsLong() - draftStart,
            proposed);
      }
      if (onStep != StepListener.NONE) {
        onStep.onStep(
            new StepRecord(
                passes - 1,
                emittedBefore,
                tree,
                path,
                verdict.nextToken(),
                (verifyStart - draftStart) + (draftEnd - verifyEnd),
                verifyEnd - verifyStart,
                proposed,
                expectedTokens));
      }
    }

    long end = System.nanoTime();
    int[] tokens = new int[newTokens];
    System.arraycopy(produced, 0, tokens, 0, newTokens);
    DecodeStats stats =
        new DecodeStats(
            newTokens,
            passes,
            draftingSteps,
            drafted,
            accepted,
            draftedByPosition,
            acceptedByPosition,
            prefillEnd - start,
            end - prefillEnd);
    return new DecodeResult(tokens, stop, stats);
  }

  private void validatePrompt(int[] prompt, int capacity) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException(
          "prompt is empty: it needs at least one token (e.g. BOS) to predict from");
    }
    int vocab = target.info().vocabSize();
    for (int i = 0; i < prompt.length; i++) {
      if (prompt[i] < 0 || prompt[i] >= vocab) {
        throw new IllegalArgumentException(
            "prompt token at index "
                + i
                + " is "
                + prompt[i]
                + ", outside the vocabulary [0, "
                + vocab
                + ")");
      }
    }
    if (prompt.length >= capacity) {
      throw new IllegalArgumentException(
          "prompt of "
              + prompt.length
              + " tokens does not fit the model's context of "
              + capacity
              + " positions; shorten the prompt to at most "
              + (capacity - 1)
              + " tokens so that at least one new token fits");
    }
  }

  private void checkProposal(TokenTree tree, int root, int maxDrafts) {
    if (tree.token(0) != root) {
      throw new IllegalStateException(
          "drafter '"
              + drafter.name()
              + "' proposed a tree rooted at token "
              + tree.token(0)
              + ", but the context ends with "
              + root);
    }
    if (tree.draftCount() > maxDrafts) {
      throw new IllegalStateException(
          "drafter '"
              + drafter.name()
              + "' proposed "
              + tree.draftCount()
              + " drafts, more than the "
              + maxDrafts
              + " this pass allows");
    }
  }

  /** The growing context, exposed to the drafter as a read-only view. */
  private static final class Context implements TokenContext {
    private int[] tokens;
    private int length;

    Context(int initialCapacity) {
      tokens = new int[Math.max(1, initialCapacity)];
    }

    void append(int token) {
      if (length == tokens.length) {
        tokens = java.util.Arrays.copyOf(tokens, tokens.length * 2);
      }
      tokens[length++] = token;
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public int token(int index) {
      if (index < 0 || index >= length) {
        throw new IndexOutOfBoundsException(
            "token index " + index + " outside the context of " + length + " tokens");
      }
      return tokens[index];
    }
  }

  /** Configures a {@link SpeculativeDecoder}; {@link #build()} validates the combination. */
  public static final class Builder {
    private final CausalLm target;
    private Drafter drafter = Drafter.none();
    private AcceptanceRule rule;
    private SamplingConfig sampling = SamplingConfig.greedy();
    private int draftTokens = 4;
    private BudgetPolicy budget = BudgetPolicy.fixed();
    private java.util.function.LongSupplier clock = System::nanoTime;

    private Builder(CausalLm target) {
      this.target = target;
    }

    /** The drafter; default {@link Drafter#none()} (plain decoding). */
    public Builder drafter(Drafter drafter) {
      this.drafter = Objects.requireNonNull(drafter, "drafter");
      return this;
    }

    /** The acceptance rule; default greedy for greedy sampling, rejection sampling otherwise. */
    public Builder rule(AcceptanceRule rule) {
      this.rule = Objects.requireNonNull(rule, "rule");
      return this;
    }

    /** The target's warping; default greedy. */
    public Builder sampling(SamplingConfig sampling) {
      this.sampling = Objects.requireNonNull(sampling, "sampling");
      return this;
    }

    /**
     * How each step's draft is sized; default {@link BudgetPolicy#fixed()}: the drafter's k or tree
     * every step. With {@link BudgetPolicy.Auto} the draft is cut to what pays (at most k).
     */
    public Builder budget(BudgetPolicy budget) {
      this.budget = Objects.requireNonNull(budget, "budget");
      return this;
    }

    /**
     * The clock that times each step's drafting and verification, in nanoseconds; default {@link
     * System#nanoTime()}. Tests give a clock that counts the fake models' work, so that adaptive
     * budgets see a deterministic machine.
     */
    Builder clock(java.util.function.LongSupplier clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The most drafts per pass, k, in {@code [0, 64]}; default 4. */
    public Builder draftTokens(int k) {
      this.draftTokens = k;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException when k is outside {@code [0, 64]}, the greedy rule is paired
     *     with non-greedy sampling, or the drafter's model has another vocabulary than the target
     */
    public SpeculativeDecoder build() {
      if (draftTokens < 0 || draftTokens > MAX_DRAFT_TOKENS) {
        throw new IllegalArgumentException(
            "draft tokens per step (k) must be in [0, "
                + MAX_DRAFT_TOKENS
                + "], was "
                + draftTokens);
      }
      if (rule instanceof AcceptanceRule.Greedy && !sampling.isGreedy()) {
        throw new IllegalArgumentException(
            "the greedy acceptance rule needs greedy sampling (temperature 0), was temperature "
                + sampling.temperature()
                + ": use AcceptanceRule.rejectionSampling() to sample");
      }
      ModelInfo targetInfo = target.info();
      drafter.modelInfo().ifPresent(d -> ModelInfo.requireSameVocabulary(targetInfo, d));
      return new SpeculativeDecoder(this);
    }
  }
}
