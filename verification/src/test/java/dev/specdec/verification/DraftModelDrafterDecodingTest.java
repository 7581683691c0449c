package dev.specdec.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.DraftModelDrafter;
import dev.specdec.drafting.Drafter;
import dev.specdec.drafting.Proposal;
import dev.specdec.drafting.TokenContext;
import dev.specdec.model.testing.FakeLm;
import dev.specdec.sampling.SamplingConfig;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The draft-model drafter inside the decoding loop: its cache follows what the target accepted. */
class DraftModelDrafterDecodingTest {
  private static final int V = 24;

  /**
   * Wraps the drafter under test and checks its cache after every step: it holds exactly the
   * accepted context, minus the pending token, minus the last draft when every draft was accepted,
   * and each propose ran exactly the missing context plus d - 1 drafts. Every third step it allows
   * no drafts, as a lookup-first drafter sitting out a step would look to it.
   */
  private static final class Checking implements Drafter {
    final DraftModelDrafter inner;
    final FakeLm model;
    int[] context;
    int cachedBefore;
    long runBefore;
    int drafts;
    int[] draftTokens;
    int steps;
    int fullAccepts;
    int rejections;

    Checking(DraftModelDrafter inner, FakeLm model) {
      this.inner = inner;
      this.model = model;
    }

    @Override
    public Proposal propose(TokenContext ctx, int maxDrafts) {
      context = new int[ctx.length()];
      for (int i = 0; i < context.length; i++) {
        context[i] = ctx.token(i);
      }
      cachedBefore = model.cacheLength();
      runBefore = inner.tokensRun();
      int allowed = ++steps % 3 == 0 ? 0 : maxDrafts;
      Proposal p = inner.propose(ctx, allowed);
      drafts = p.tree().draftCount();
      draftTokens = Arrays.copyOfRange(p.tree().tokens(), 1, drafts + 1);
      long ran = inner.tokensRun() - runBefore;
      long expected = drafts == 0 ? 0 : (context.length - cachedBefore) + (drafts - 1);
      assertEquals(expected, ran, "tokens run by step " + steps);
      return p;
    }

    @Override
    public void accepted(int[] path) {
      inner.accepted(path);
      int a = path.length - 1;
      int expected = drafts == 0 ? cachedBefore : context.length + Math.min(a, drafts - 1);
      assertEquals(expected, model.cacheLength(), "draft cache after step " + steps);
      int[] acceptedContext = Arrays.copyOf(context, context.length + a);
      System.arraycopy(draftTokens, 0, acceptedContext, context.length, a);
      assertArrayEquals(Arrays.copyOf(acceptedContext, expected), model.cachedTokens());
      if (drafts > 0 && a == drafts) {
        fullAccepts++;
      } else if (drafts > 0) {
        rejections++;
      }
    }

    @Override
    public void reset() {
      inner.reset();
      steps = 0;
    }

    @Override
    public String name() {
      return "checking";
    }
  }

  @Test
  void draftCacheHoldsExactlyTheAcceptedContextAndNoTokenRunsTwice() {
    for (SamplingConfig sampling :
        new SamplingConfig[] {SamplingConfig.greedy(), new SamplingConfig(0.9, 10, 0.9)}) {
      FakeLm target = FakeLm.target(V, 128, 21, 1.5);
      FakeLm draftLm = FakeLm.draftOf(target, 128, 22, 0.35);
      Checking drafter =
          new Checking(Drafter.draftModel(draftLm, sampling, 5, new SplittableRandom(3)), draftLm);
      SpeculativeDecoder decoder =
          SpeculativeDecoder.builder(target)
              .drafter(drafter)
              .sampling(sampling)
              .draftTokens(5)
              .build();
      for (int seed = 0; seed < 10; seed++) {
        decoder.generate(new int[] {1, 2, 3, seed}, GenerationRequest.of(60, seed), t -> {});
        assertEquals(0, draftLm.repeatedRuns(), sampling + ", seed " + seed);
      }
      assertTrue(drafter.fullAccepts > 0 && drafter.rejections > 0, sampling.toString());
      assertEquals(draftLm.stats().tokensRun(), drafter.inner.tokensRun());
    }
  }
}
