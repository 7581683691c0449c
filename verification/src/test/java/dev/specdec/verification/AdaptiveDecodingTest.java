package dev.specdec.verification;

import static dev.specdec.verification.TestSupport.plain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.Drafter;
import dev.specdec.drafting.LookupConfig;
import dev.specdec.drafting.LookupFirstDrafter;
import dev.specdec.drafting.MtpConfig;
import dev.specdec.drafting.MtpDrafter;
import dev.specdec.drafting.PromptLookupDrafter;
import dev.specdec.model.testing.FakeLm;
import dev.specdec.model.testing.FakeMtp;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TreeSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Greedy decoding with adaptive budgets is token-identical to plain greedy decoding for every
 * drafter and for cost curves that keep whole trees, prune them, or turn speculation off; the
 * drafters' own cache invariants hold through pruned steps and plain stretches.
 */
class AdaptiveDecodingTest {
  private static final int V = 24;
  private static final int BOS = 1;
  private static final double MS = 1e6;

  /**
   * Per-token cost of a target pass of 1 ms: flat (drafts are free to verify), moderate, and a pass
   * per token (never pays). The decoder's clock counts the same cost of the target's work.
   */
  private static final List<Double> PER_TOKEN = List.of(0.0, 0.08 * MS, MS);

  private record Case(String name, int k, Supplier<Drafter> drafter) {}

  private static List<Case> cases(FakeLm target, long salt) {
    SamplingConfig greedy = SamplingConfig.greedy();
    return List.of(
        new Case(
            "draft chain",
            6,
            () ->
                Drafter.draftModel(
                    FakeLm.draftOf(target, 128, salt, 0.3), greedy, 6, new SplittableRandom(1))),
        new Case(
            "sampled draft chain",
            6,
            () ->
                Drafter.draftModel(
                    FakeLm.draftOf(target, 128, salt, 0.3),
                    SamplingConfig.temperature(1),
                    6,
                    new SplittableRandom(2))),
        new Case(
            "draft tree",
            16,
            () ->
                Drafter.draftModelTree(
                    FakeLm.draftOf(target, 128, salt, 0.3), TreeSpec.parse("medusa-16"))),
        new Case(
            "dynamic draft tree",
            12,
            () ->
                Drafter.draftModelTree(
                    FakeLm.draftOf(target, 128, salt, 0.3),
                    TreeSpec.parse("dynamic:budget=12,depth=4,topk=3"))),
        new Case(
            "lookup trie", 8, () -> PromptLookupDrafter.create(new LookupConfig(3, 1, 8, 2, 64))),
        new Case(
            "lookup+draft",
            6,
            () ->
                LookupFirstDrafter.of(
                    LookupConfig.defaults(),
                    Drafter.draftModel(
                        FakeLm.draftOf(target, 128, salt, 0.3), greedy, 6, new SplittableRandom(3)),
                    2)),
        new Case(
            "mtp chain",
            4,
            () ->
                MtpDrafter.of(
                    new FakeMtp(target, 128, salt, BOS, 0.3),
                    greedy,
                    MtpConfig.chain(4),
                    new SplittableRandom(4))),
        new Case(
            "mtp tree",
            8,
            () ->
                MtpDrafter.of(
                    new FakeMtp(target, 128, salt, BOS, 0.3),
                    greedy,
                    new MtpConfig(4, 3, 8),
                    new SplittableRandom(5))));
  }

  @Test
  void greedyDecodingWithAdaptiveBudgetsIsTokenIdenticalToPlainForEveryDrafter() {
    FakeLm target = FakeLm.target(V, 128, 31, 1.5);
    SplittableRandom prompts = new SplittableRandom(32);
    long pruned = 0;
    long plainSteps = 0;
    long drafting = 0;
    for (double perToken : PER_TOKEN) {
      PassCost cost = PassCost.linear(MS, perToken);
      for (Case c : cases(target, 33)) {
        for (int trial = 0; trial < 4; trial++) {
          int[] prompt = new int[1 + prompts.nextInt(12)];
          for (int i = 0; i < prompt.length; i++) {
            // A small alphabet repeats n-grams, so prompt lookup finds matches.
            prompt[i] = i == 0 ? BOS : 2 + prompts.nextInt(6);
          }
          GenerationRequest request = GenerationRequest.of(60, trial);
          DecodeResult reference = plain(target, prompt, request);
          try (Drafter drafter = c.drafter().get()) {
            SpeculativeDecoder decoder =
                SpeculativeDecoder.builder(target)
                    .drafter(drafter)
                    .draftTokens(c.k())
                    .budget(BudgetPolicy.auto(cost))
                    .clock(WorkClock.targetOnly(target::stats, MS, perToken))
                    .build();
            List<StepRecord> steps = new ArrayList<>();
            DecodeResult result = decoder.generate(prompt, request, t -> {}, steps::add);
            String where = c.name() + ", " + cost + ", prompt " + Arrays.toString(prompt);
            assertArrayEquals(reference.tokens(), result.tokens(), where);
            assertEquals(reference.stopReason(), result.stopReason(), where);
            assertEquals(0, target.repeatedRuns(), where);
            for (StepRecord step : steps) {
              assertTrue(step.budget() <= c.k(), where);
              pruned += step.proposedDrafts() > step.budget() ? 1 : 0;
              plainSteps += step.proposedDrafts() == 0 ? 1 : 0;
              drafting += step.budget() > 0 ? 1 : 0;
            }
          }
        }
      }
    }
    // The costs drove every kind of step: whole drafts, pruned drafts and plain steps.
    assertTrue(pruned > 50, "pruned steps: " + pruned);
    assertTrue(plainSteps > 50, "plain steps: " + plainSteps);
    assertTrue(drafting > 50, "drafting steps: " + drafting);
  }

  @Test
  void aFixedBudgetVerifiesWhatTheDrafterProposes() {
    FakeLm target = FakeLm.target(V, 128, 31, 1.5);
    try (Drafter drafter =
        Drafter.draftModel(
            FakeLm.draftOf(target, 128, 7, 0.3),
            SamplingConfig.greedy(),
            4,
            new SplittableRandom(1))) {
      SpeculativeDecoder decoder =
          SpeculativeDecoder.builder(target).drafter(drafter).draftTokens(4).build();
      assertEquals(BudgetPolicy.fixed(), decoder.budget());
      List<StepRecord> steps = new ArrayList<>();
      decoder.generate(new int[] {BOS, 3, 4}, GenerationRequest.of(40, 0), t -> {}, steps::add);
      for (StepRecord step : steps) {
        assertEquals(step.proposedDrafts(), step.budget());
        assertTrue(Double.isNaN(step.expectedTokens()));
      }
    }
  }
}
