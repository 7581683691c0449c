package dev.specdec.verification;

import static dev.specdec.verification.TestSupport.plain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.DraftModelDrafter;
import dev.specdec.drafting.Drafter;
import dev.specdec.model.CacheStats;
import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.ModelInfo;
import dev.specdec.model.RunCancelledException;
import dev.specdec.model.testing.FakeLm;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TokenTree;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SpeculativeDecoderTest {
  private static final int V = 32;

  private static int[] randomPrompt(SplittableRandom r, int maxLength) {
    int[] prompt = new int[r.nextInt(1, maxLength + 1)];
    for (int i = 0; i < prompt.length; i++) {
      prompt[i] = r.nextInt(V);
    }
    return prompt;
  }

  @Test
  void greedySpeculationIsTokenIdenticalToPlainGreedyForEveryDraftLength() {
    FakeLm target = FakeLm.target(V, 96, 1, 2.0);
    SplittableRandom prompts = new SplittableRandom(2);
    long accepted = 0;
    long drafted = 0;
    for (int k = 1; k <= 8; k++) {
      for (int trial = 0; trial < 24; trial++) {
        int[] prompt = randomPrompt(prompts, 10);
        GenerationRequest request = GenerationRequest.of(48, trial);
        DecodeResult reference = plain(target, prompt, request);
        assertEquals(0, target.repeatedRuns());
        FakeLm draftLm = FakeLm.draftOf(target, 96, 100 + trial, 0.3);
        // Greedy drafts on even trials, sampled drafts on odd ones: the greedy rule is exact for
        // any draft.
        SamplingConfig draftSampling =
            trial % 2 == 0 ? SamplingConfig.greedy() : SamplingConfig.temperature(1);
        try (DraftModelDrafter drafter =
            Drafter.draftModel(draftLm, draftSampling, k, new SplittableRandom(trial))) {
          SpeculativeDecoder decoder =
              SpeculativeDecoder.builder(target).drafter(drafter).draftTokens(k).build();
          List<Integer> streamed = new ArrayList<>();
          DecodeResult result = decoder.generate(prompt, request, streamed::add);
          String where = "k=" + k + ", prompt " + Arrays.toString(prompt);
          assertArrayEquals(reference.tokens(), result.tokens(), where);
          assertEquals(reference.stopReason(), result.stopReason(), where);
          assertArrayEquals(
              result.tokens(), streamed.stream().mapToInt(Integer::intValue).toArray(), where);
          assertEquals(0, target.repeatedRuns(), where);
          assertEquals(0, draftLm.repeatedRuns(), where);
          assertEquals(draftLm.stats().tokensRun(), drafter.tokensRun(), where);
          accepted += result.stats().acceptedTokens();
          drafted += result.stats().draftedTokens();
        }
      }
    }
    // The draft agrees often but not always: both acceptance and rejection were exercised.
    assertTrue(accepted > drafted / 8 && accepted < drafted, accepted + " of " + drafted);
  }

  @Test
  void stopTokenEndsGenerationAndIsNotEmitted() {
    FakeLm target = FakeLm.target(V, 96, 3, 2.0);
    int[] prompt = {1, 2, 3};
    int[] ref = plain(target, prompt, GenerationRequest.of(40, 0)).tokens();
    int j = 5;
    while (contains(Arrays.copyOf(ref, j), ref[j])) {
      j++;
    }
    int stop = ref[j];
    int[] full = concat(prompt, ref);
    ScriptedDrafter drafter = new ScriptedDrafter(full, new int[0], 4, V);
    List<Integer> streamed = new ArrayList<>();
    DecodeResult result =
        SpeculativeDecoder.builder(target)
            .drafter(drafter)
            .draftTokens(4)
            .build()
            .generate(prompt, GenerationRequest.of(40, 0, stop), streamed::add);
    assertEquals(StopReason.STOP_TOKEN, result.stopReason());
    assertArrayEquals(Arrays.copyOf(ref, j), result.tokens());
    assertEquals(j, streamed.size());
  }

  @Test
  void aSinkThatRefusesATokenEndsGenerationRightAfterItMidStep() {
    FakeLm target = FakeLm.target(V, 96, 3, 2.0);
    int[] prompt = {1, 2, 3};
    int[] ref = plain(target, prompt, GenerationRequest.of(40, 0)).tokens();
    // A perfect drafter: steps accept 4 drafts, so token 6 sits in the middle of a step.
    ScriptedDrafter drafter = new ScriptedDrafter(concat(prompt, ref), new int[0], 4, V);
    List<Integer> streamed = new ArrayList<>();
    DecodeResult result =
        SpeculativeDecoder.builder(target)
            .drafter(drafter)
            .draftTokens(4)
            .build()
            .generateWhile(
                prompt,
                GenerationRequest.of(40, 0),
                token -> {
                  streamed.add(token);
                  return streamed.size() < 7;
                },
                StepListener.NONE);
    assertEquals(StopReason.STOP_STRING, result.stopReason());
    assertArrayEquals(Arrays.copyOf(ref, 7), result.tokens());
    assertEquals(7, streamed.size());
  }

  @Test
  void aRefusedTokenThatAlsoReachesMaxNewTokensStopsWithStopString() {
    FakeLm target = FakeLm.target(V, 96, 3, 2.0);
    DecodeResult result =
        SpeculativeDecoder.builder(target)
            .draftTokens(0)
            .build()
            .generateWhile(
                new int[] {1}, GenerationRequest.of(1, 0), token -> false, StepListener.NONE);
    assertEquals(StopReason.STOP_STRING, result.stopReason());
    assertEquals(1, result.tokens().length);
  }

  @Test
  void maxNewTokensStopsExactlyAndCapsTheLastStepsDrafts() {
    FakeLm target = FakeLm.target(V, 96, 4, 2.0);
    int[] prompt = {7};
    int[] ref = plain(target, prompt, GenerationRequest.of(40, 0)).tokens();
    ScriptedDrafter perfect = new ScriptedDrafter(concat(prompt, ref), new int[0], 8, V);
    DecodeResult result =
        SpeculativeDecoder.builder(target)
            .drafter(perfect)
            .draftTokens(8)
            .build()
            .generate(prompt, GenerationRequest.of(5, 0), t -> {});
    assertEquals(StopReason.MAX_NEW_TOKENS, result.stopReason());
    assertArrayEquals(Arrays.copyOf(ref, 5), result.tokens());
    // One pass: 4 drafts (all that 5 tokens allow) plus the bonus.
    assertEquals(1, result.stats().targetPasses());
    assertEquals(4, result.stats().draftedTokens());
    assertEquals(4, result.stats().acceptedTokens());
  }

  @Test
  void stopsWithContextFullWhenTheContextReachesCapacity() {
    FakeLm small = FakeLm.target(V, 32, 5, 2.0);
    FakeLm large = FakeLm.target(V, 96, 5, 2.0);
    int[] prompt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    int[] ref = plain(large, prompt, GenerationRequest.of(60, 0)).tokens();
    for (int k : new int[] {0, 3, 8}) {
      FakeLm draftLm = FakeLm.draftOf(small, 32, 9, 0.2);
      DecodeResult result =
          SpeculativeDecoder.builder(small)
              .drafter(
                  Drafter.draftModel(
                      draftLm, SamplingConfig.greedy(), Math.max(k, 1), new SplittableRandom(1)))
              .draftTokens(k)
              .build()
              .generate(prompt, GenerationRequest.of(100, 0), t -> {});
      assertEquals(StopReason.CONTEXT_FULL, result.stopReason(), "k=" + k);
      assertArrayEquals(Arrays.copyOf(ref, 32 - prompt.length), result.tokens(), "k=" + k);
    }
  }

  @Test
  void rejectsAPromptThatLeavesNoRoomToGenerate() {
    FakeLm target = FakeLm.target(V, 16, 1, 1.0);
    SpeculativeDecoder decoder = SpeculativeDecoder.builder(target).build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> decoder.generate(new int[20], GenerationRequest.of(4, 0), t -> {}));
    assertEquals(
        "prompt of 20 tokens does not fit the model's context of 16 positions; shorten the prompt"
            + " to at most 15 tokens so that at least one new token fits",
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> decoder.generate(new int[16], GenerationRequest.of(4, 0), t -> {}));
    DecodeResult one = decoder.generate(new int[15], GenerationRequest.of(4, 0), t -> {});
    assertEquals(1, one.tokens().length);
    assertEquals(StopReason.CONTEXT_FULL, one.stopReason());
  }

  @Test
  void rejectsAnEmptyPromptAndTokensOutsideTheVocabulary() {
    SpeculativeDecoder decoder = SpeculativeDecoder.builder(FakeLm.target(V, 16, 1, 1.0)).build();
    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class,
            () -> decoder.generate(new int[0], GenerationRequest.of(4, 0), t -> {}));
    assertEquals(
        "prompt is empty: it needs at least one token (e.g. BOS) to predict from",
        empty.getMessage());
    IllegalArgumentException outside =
        assertThrows(
            IllegalArgumentException.class,
            () -> decoder.generate(new int[] {1, 32}, GenerationRequest.of(4, 0), t -> {}));
    assertEquals(
        "prompt token at index 1 is 32, outside the vocabulary [0, 32)", outside.getMessage());
  }

  @Test
  void rejectsMaxNewTokensBelowOne() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GenerationRequest.of(0, 1));
    assertEquals("maxNewTokens must be >= 1, was 0", e.getMessage());
  }

  @Test
  void rejectsDraftTokensOutsideZeroToSixtyFour() {
    FakeLm target = FakeLm.target(V, 16, 1, 1.0);
    for (int k : new int[] {-1, 65}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> SpeculativeDecoder.builder(target).draftTokens(k).build());
      assertEquals("draft tokens per step (k) must be in [0, 64], was " + k, e.getMessage());
    }
  }

  @Test
  void rejectsTheGreedyRuleWithSampling() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SpeculativeDecoder.builder(FakeLm.target(V, 16, 1, 1.0))
                    .sampling(SamplingConfig.temperature(0.7))
                    .rule(AcceptanceRule.greedy())
                    .build());
    assertEquals(
        "the greedy acceptance rule needs greedy sampling (temperature 0), was temperature 0.7:"
            + " use AcceptanceRule.rejectionSampling() to sample",
        e.getMessage());
    SpeculativeDecoder sampled =
        SpeculativeDecoder.builder(FakeLm.target(V, 16, 1, 1.0))
            .sampling(SamplingConfig.temperature(0.7))
            .build();
    assertEquals("rejection-sampling", sampled.rule().name());
  }

  @Test
  void rejectsADraftModelWithAnotherVocabulary() {
    FakeLm target = FakeLm.target(512, 16, 1, 1.0);
    FakeLm draft = FakeLm.target(300, 16, 2, 1.0);
    Drafter drafter =
        Drafter.draftModel(draft, SamplingConfig.greedy(), 4, new SplittableRandom(0));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SpeculativeDecoder.builder(target).drafter(drafter).build());
    assertTrue(
        e.getMessage().startsWith("draft vocabulary (300) differs from target vocabulary (512)"),
        e.getMessage());
  }

  @Test
  void aCancelledPassEndsGenerationWithTheTokensOfTheStepsBefore() {
    FakeLm target = FakeLm.target(V, 96, 1, 2.0);
    int[] prompt = {1, 2, 3};
    DecodeResult reference = plain(target, prompt, GenerationRequest.of(40, 0));
    // Pass 1 is the prefill; passes 2..6 each emit one token; pass 7 is cancelled.
    CancelledAfter cancelled = new CancelledAfter(target, 6);
    List<Integer> streamed = new ArrayList<>();
    DecodeResult result =
        SpeculativeDecoder.builder(cancelled)
            .build()
            .generate(prompt, GenerationRequest.of(40, 0), streamed::add);
    assertEquals(StopReason.INTERRUPTED, result.stopReason());
    assertArrayEquals(Arrays.copyOf(reference.tokens(), 5), result.tokens());
    assertArrayEquals(result.tokens(), streamed.stream().mapToInt(Integer::intValue).toArray());
    assertEquals(5, result.stats().newTokens());
    assertEquals(5, result.stats().targetPasses());
  }

  @Test
  void aCancelledPrefillEndsGenerationWithNoTokens() {
    FakeLm target = FakeLm.target(V, 96, 1, 2.0);
    DecodeResult result =
        SpeculativeDecoder.builder(new CancelledAfter(target, 0))
            .build()
            .generate(new int[] {1, 2, 3}, GenerationRequest.of(40, 0), t -> {});
    assertEquals(StopReason.INTERRUPTED, result.stopReason());
    assertEquals(0, result.tokens().length);
    assertEquals(0, result.stats().targetPasses());
  }

  /** A target whose passes after the first {@code passes} are refused, as a cancelled model's. */
  private static final class CancelledAfter implements CausalLm {
    private final CausalLm lm;
    private int passesLeft;

    CancelledAfter(CausalLm lm, int passes) {
      this.lm = lm;
      this.passesLeft = passes;
    }

    @Override
    public ModelInfo info() {
      return lm.info();
    }

    @Override
    public int cacheLength() {
      return lm.cacheLength();
    }

    @Override
    public int capacity() {
      return lm.capacity();
    }

    @Override
    public ForwardOutput forward(TokenTree tree) {
      if (passesLeft-- <= 0) {
        throw new RunCancelledException("pass not run: generation stopped");
      }
      return lm.forward(tree);
    }

    @Override
    public void commit(int[] nodes) {
      lm.commit(nodes);
    }

    @Override
    public void commitPrefix(int count) {
      lm.commitPrefix(count);
    }

    @Override
    public void truncate(int length) {
      lm.truncate(length);
    }

    @Override
    public CacheStats stats() {
      return lm.stats();
    }

    @Override
    public void close() {
      lm.close();
    }
  }

  static boolean contains(int[] values, int value) {
    return Arrays.stream(values).anyMatch(v -> v == value);
  }

  static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
