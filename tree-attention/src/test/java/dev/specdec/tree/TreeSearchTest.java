package dev.specdec.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TreeSearchTest {
  private static final double[][] ACC = {{0.5, 0.2, 0.1}, {0.4, 0.1}};

  @Test
  void addsTheMostProbableNodeFirst() {
    // Values: [0]=.5 [1]=.2 [2]=.1 [0,0]=.2 [0,1]=.05 [1,0]=.08 ...
    assertEquals("[[0], [1], [0, 0]]", TreeSearch.maximizeExpectedLength(ACC, 3).toChoiceList());
    assertEquals(
        "[[0], [1], [2], [0, 0], [1, 0]]",
        TreeSearch.maximizeExpectedLength(ACC, 5).toChoiceList());
  }

  @Test
  void greedyTreeIsOptimalAmongAllTreesOfTheBudget() {
    // Brute force over every subset of the 9 possible nodes that is a tree.
    List<int[]> all = new ArrayList<>();
    for (int a = 0; a < 3; a++) {
      all.add(new int[] {a});
      for (int b = 0; b < 2; b++) {
        all.add(new int[] {a, b});
      }
    }
    for (int budget = 1; budget <= all.size(); budget++) {
      double best = 0;
      for (int mask = 0; mask < 1 << all.size(); mask++) {
        if (Integer.bitCount(mask) != budget) {
          continue;
        }
        List<int[]> choices = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
          if ((mask >> i & 1) != 0) {
            choices.add(all.get(i));
          }
        }
        try {
          best = Math.max(best, TreeSearch.expectedAcceptedDrafts(TreeShape.of(choices), ACC));
        } catch (IllegalArgumentException notATree) {
          // an orphan: not a candidate
        }
      }
      double greedy =
          TreeSearch.expectedAcceptedDrafts(TreeSearch.maximizeExpectedLength(ACC, budget), ACC);
      assertEquals(best, greedy, 1e-12, "budget " + budget);
    }
  }

  @Test
  void stopsWhenNoNodeCanBeAccepted() {
    assertEquals(
        9 + 1, TreeSearch.maximizeExpectedLength(ACC, 50).size(), "3 + 3*2 nodes exist at most");
  }

  @Test
  void rejectsCumulativeAccuraciesWithAHint() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TreeSearch.maximizeExpectedLength(new double[][] {{0.6, 0.8, 0.9}}, 4));
    assertTrue(e.getMessage().contains("not cumulative"), e.getMessage());
  }
}
