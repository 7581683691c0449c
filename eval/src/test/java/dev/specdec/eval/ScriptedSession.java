package dev.specdec.eval;

import dev.specdec.drafting.Drafter;
import dev.specdec.drafting.Proposal;
import dev.specdec.drafting.TokenContext;
import dev.specdec.tree.TokenTree;
import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.DecodeStats;
import dev.specdec.verification.GenerationRequest;
import dev.specdec.verification.SpeculativeDecoder;
import dev.specdec.verification.StepListener;
import dev.specdec.verification.StepRecord;
import java.util.List;
import java.util.Map;

/**
 * An {@link EvalSession} over {@link SuccessorLm} with a drafter that follows a script per prompt,
 * and a cost model in place of the clock: a target pass costs {@link #PASS_NANOS} whatever its
 * size, a draft token {@link #DRAFT_NANOS}. Prompt text "A" is tokens [0, 1], "B" is [0, 2].
 */
class ScriptedSession implements EvalSession {
  static final long PASS_NANOS = 1000;
  static final long DRAFT_NANOS = 100;

  /**
   * One step's plan.
   *
   * @param correct how many drafts of the chain equal the target's continuation, from depth 1
   * @param wrongSibling whether a wrong draft sits at depth 1 before the chain (rank 0), moving the
   *     chain's first draft to rank 1
   */
  record Plan(int correct, boolean wrongSibling) {}

  private final SuccessorLm target = new SuccessorLm();
  private final ScriptedDrafter drafter;
  private final SpeculativeDecoder speculative;
  private final SpeculativeDecoder plain;
  private final int maxNewTokens;

  ScriptedSession(Map<Integer, List<Plan>> scripts, int k, int maxNewTokens) {
    this.drafter = new ScriptedDrafter(scripts);
    this.speculative = SpeculativeDecoder.builder(target).drafter(drafter).draftTokens(k).build();
    this.plain = SpeculativeDecoder.builder(target).draftTokens(0).build();
    this.maxNewTokens = maxNewTokens;
  }

  @Override
  public int[] promptTokens(String prompt) {
    return new int[] {0, prompt.equals("A") ? 1 : 2};
  }

  @Override
  public int capacity() {
    return target.capacity();
  }

  @Override
  public DecodeResult generate(
      int[] promptTokens, long seed, boolean plainRun, StepListener onStep) {
    GenerationRequest request = GenerationRequest.of(maxNewTokens, seed, 15);
    long[] draftNanos = {0};
    StepListener costed =
        step -> {
          long cost = DRAFT_NANOS * step.drafted();
          draftNanos[0] += cost;
          onStep.onStep(
              new StepRecord(
                  step.step(),
                  step.emittedBefore(),
                  step.tree(),
                  step.path(),
                  step.nextToken(),
                  cost,
                  PASS_NANOS));
        };
    DecodeResult result =
        (plainRun ? plain : speculative).generate(promptTokens, request, t -> {}, costed);
    DecodeStats s = result.stats();
    DecodeStats timed =
        new DecodeStats(
            s.newTokens(),
            s.targetPasses(),
            s.draftingSteps(),
            s.draftedTokens(),
            s.acceptedTokens(),
            s.draftedByPosition(),
            s.acceptedByPosition(),
            PASS_NANOS,
            s.targetPasses() * PASS_NANOS + draftNanos[0]);
    return new DecodeResult(result.tokens(), result.stopReason(), timed);
  }

  @Override
  public void close() {}

  /** Drafts per the plan of the prompt (keyed by its second token); all right after the plan. */
  private static final class ScriptedDrafter implements Drafter {
    private final Map<Integer, List<Plan>> scripts;
    private int step;

    ScriptedDrafter(Map<Integer, List<Plan>> scripts) {
      this.scripts = scripts;
    }

    @Override
    public Proposal propose(TokenContext context, int maxDrafts) {
      if (maxDrafts == 0) {
        return Proposal.rootOnly(context.last());
      }
      List<Plan> script = scripts.getOrDefault(context.token(1), List.of());
      Plan plan = step < script.size() ? script.get(step) : new Plan(maxDrafts, false);
      step++;
      int sibling = plan.wrongSibling() ? 1 : 0;
      int chain = maxDrafts - sibling;
      int[] tokens = new int[1 + sibling + chain];
      int[] parents = new int[tokens.length];
      tokens[0] = context.last();
      parents[0] = -1;
      int truth = context.last();
      if (sibling == 1) {
        tokens[1] = (SuccessorLm.next(truth) + SuccessorLm.VOCAB / 2 + 1) % SuccessorLm.VOCAB;
        parents[1] = 0;
      }
      for (int i = 0; i < chain; i++) {
        truth = SuccessorLm.next(truth);
        int node = 1 + sibling + i;
        tokens[node] =
            i < plan.correct() ? truth : (truth + SuccessorLm.VOCAB / 2) % SuccessorLm.VOCAB;
        parents[node] = i == 0 ? 0 : node - 1;
      }
      return Proposal.deterministic(TokenTree.of(tokens, parents));
    }

    @Override
    public void accepted(int[] path) {}

    @Override
    public void reset() {
      step = 0;
    }

    @Override
    public String name() {
      return "scripted";
    }
  }
}
