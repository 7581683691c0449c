package dev.specdec.drafting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.tree.TokenTree;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PromptLookupDrafterTest {

  private static TokenTree propose(LookupConfig config, int maxDrafts, int... context) {
    return PromptLookupDrafter.create(config).propose(TokenContext.of(context), maxDrafts).tree();
  }

  @Test
  void longestMatchWinsOverAMoreRecentShorterOne() {
    // [1 2 3] occurred at the start, followed by 9; [2 3] occurred more recently, followed by 7.
    TokenTree tree = propose(new LookupConfig(3, 1, 2, 1, 64), 8, 1, 2, 3, 9, 5, 2, 3, 7, 1, 2, 3);
    assertArrayEquals(new int[] {3, 9, 5}, tree.tokens());
    assertTrue(tree.isChain());
  }

  @Test
  void mostRecentOccurrenceWinsATie() {
    TokenTree tree = propose(new LookupConfig(2, 1, 1, 1, 64), 8, 4, 5, 6, 4, 5, 8, 4, 5);
    assertArrayEquals(new int[] {5, 8}, tree.tokens());
  }

  @Test
  void noMatchProposesTheRootAlone() {
    TokenTree tree = propose(LookupConfig.defaults(), 8, 1, 2, 3, 4, 5);
    assertArrayEquals(new int[] {5}, tree.tokens());
  }

  @Test
  void continuationMayRunIntoTheMatchedSuffixItself() {
    // [4 4 4] ends at position 2 and at 3: the continuation after position 2 is the last token.
    TokenTree tree = propose(new LookupConfig(3, 1, 8, 1, 64), 8, 4, 4, 4, 4);
    assertArrayEquals(new int[] {4, 4}, tree.tokens());
  }

  @Test
  void distinctContinuationsBecomeSiblingBranchesMostRecentFirst() {
    TokenTree tree =
        propose(new LookupConfig(2, 2, 4, 2, 64), 4, 1, 2, 3, 4, 9, 1, 2, 7, 8, 0, 1, 2);
    // Most recent [1 2] was followed by 7 8 0..., the older one by 3 4 9...
    assertArrayEquals(new int[] {2, 7, 8, 0, 3}, tree.tokens());
    assertArrayEquals(new int[] {-1, 0, 1, 2, 0}, tree.parents());
  }

  @Test
  void respectsTheDraftBudgetOfTheCaller() {
    TokenTree tree = propose(new LookupConfig(2, 1, 8, 1, 64), 2, 1, 2, 3, 4, 5, 6, 1, 2);
    assertArrayEquals(new int[] {2, 3, 4}, tree.tokens());
    assertArrayEquals(new int[] {1}, propose(LookupConfig.defaults(), 0, 1, 1).tokens());
  }

  @Test
  void draftsAreDeterministicPointMasses() {
    Proposal p =
        PromptLookupDrafter.create(LookupConfig.defaults())
            .propose(TokenContext.of(new int[] {1, 1}), 4);
    assertNull(p.draftDistribution(0));
  }

  @Test
  void lookupWorkDoesNotGrowWithContextLength() {
    long small = workOfOneLookupAfter(1_000);
    long large = workOfOneLookupAfter(100_000);
    // Bounded by maxCandidates * ngram lengths, whatever the context: allow no growth at all.
    assertTrue(large <= 3 * 64 * 3 + 64, "work of one lookup at 100k tokens: " + large);
    assertTrue(small <= 3 * 64 * 3 + 64, "work of one lookup at 1k tokens: " + small);
  }

  private static long workOfOneLookupAfter(int contextLength) {
    SplittableRandom random = new SplittableRandom(7);
    int[] ids = new int[contextLength];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = random.nextInt(4); // a tiny vocabulary: every n-gram recurs many times
    }
    PromptLookupDrafter drafter = PromptLookupDrafter.create(LookupConfig.defaults());
    int[] prefix = java.util.Arrays.copyOf(ids, contextLength - 1);
    drafter.propose(TokenContext.of(prefix), 8);
    long before = drafter.workCounter();
    drafter.propose(TokenContext.of(ids), 8);
    return drafter.workCounter() - before;
  }

  @Test
  void indexingIsIncrementalAcrossSteps() {
    PromptLookupDrafter drafter = PromptLookupDrafter.create(LookupConfig.defaults());
    drafter.propose(TokenContext.of(new int[] {1, 2, 3, 1}), 4);
    TokenTree tree = drafter.propose(TokenContext.of(new int[] {1, 2, 3, 1, 2}), 4).tree();
    assertArrayEquals(new int[] {2, 3, 1, 2}, tree.tokens());
    assertEquals(2, drafter.lastMatchLength());
  }

  @Test
  void rejectsInconsistentSettings() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new LookupConfig(1, 2, 8, 1, 64));
    assertEquals("ngram-max must be in [ngram-min, 16] = [2, 16], was 1", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LookupConfig(3, 0, 8, 1, 64));
  }
}
