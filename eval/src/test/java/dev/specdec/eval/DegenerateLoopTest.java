package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DegenerateLoopTest {

  /** {@code length} tokens repeating a unit of {@code period} distinct tokens (100, 101, ...). */
  private static int[] periodic(int length, int period) {
    return IntStream.range(0, length).map(i -> 100 + i % period).toArray();
  }

  @Test
  void findsARunOfOneToken() {
    assertEquals(1, DegenerateLoop.period(new int[48]));
    assertTrue(DegenerateLoop.isDegenerate(periodic(60, 1)));
  }

  @Test
  void findsTheSmallestPeriodUpToEight() {
    assertEquals(2, DegenerateLoop.period(periodic(48, 2)));
    assertEquals(5, DegenerateLoop.period(periodic(48, 5)), "48 is not a multiple of 5: fine");
    assertEquals(8, DegenerateLoop.period(periodic(48, 8)));
    // A unit of 4 that is itself two copies of a unit of 2 has period 2.
    assertEquals(2, DegenerateLoop.period(IntStream.range(0, 48).map(i -> i % 4 % 2).toArray()));
  }

  @Test
  void aUnitOfNineTokensIsNotALoop() {
    assertEquals(0, DegenerateLoop.period(periodic(200, 9)));
    assertFalse(DegenerateLoop.isDegenerate(periodic(200, 9)));
  }

  @Test
  void oneMismatchInTheLastFortyEightBreaksTheLoop() {
    for (int at : new int[] {0, 13, 47}) {
      int[] tokens = new int[100];
      tokens[100 - 48 + at] = 7;
      assertEquals(0, DegenerateLoop.period(tokens), "mismatch at window index " + at);
    }
    int[] pair = periodic(80, 2);
    pair[79] = 100; // ... 100 101 100 100: neither period 2 nor any other up to 8
    assertEquals(0, DegenerateLoop.period(pair));
  }

  @Test
  void onlyTheLastFortyEightTokensCount() {
    int[] tokens = periodic(100, 3);
    tokens[100 - 49] = 7; // just before the window
    assertEquals(3, DegenerateLoop.period(tokens));
  }

  @Test
  void anOutputShorterThanFortyEightTokensIsNeverDegenerate() {
    assertEquals(48, DegenerateLoop.WINDOW);
    assertEquals(8, DegenerateLoop.MAX_PERIOD);
    assertEquals(0, DegenerateLoop.period(new int[47]));
    assertEquals(0, DegenerateLoop.period(new int[0]));
    assertEquals(1, DegenerateLoop.period(new int[48]));
  }
}
