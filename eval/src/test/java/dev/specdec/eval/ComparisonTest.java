package dev.specdec.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.verification.DecodeResult;
import dev.specdec.verification.DecodeStats;
import dev.specdec.verification.StopReason;
import org.junit.jupiter.api.Test;

class ComparisonTest {
  private static final int[] TOKENS = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14};

  @Test
  void speedupIsSpeculativeRateOverBaselineRate() {
    // 10 tokens in 10 ms = 1000 tokens/s against 10 tokens in 25 ms = 400 tokens/s
    DecodeResult fast = Results.result(TOKENS, 4, 3, 12, 6, new long[] {3, 2, 1, 0}, 10);
    DecodeResult slow = Results.plain(TOKENS, 25);
    Comparison comparison = new Comparison(fast, slow);

    assertEquals(1000.0, fast.stats().tokensPerSecond(), 1e-9);
    assertEquals(400.0, slow.stats().tokensPerSecond(), 1e-9);
    assertEquals(2.5, comparison.speedup(), 1e-12);
  }

  @Test
  void identicalComparesTheTokenArrays() {
    DecodeResult fast = Results.result(TOKENS, 4, 3, 12, 6, new long[] {3, 2, 1, 0}, 10);
    int[] other = TOKENS.clone();
    other[9] = 99;

    assertTrue(new Comparison(fast, Results.plain(TOKENS, 25)).identical());
    assertFalse(new Comparison(fast, Results.plain(other, 25)).identical());
    assertFalse(new Comparison(fast, Results.plain(new int[] {5, 6}, 25)).identical());
  }

  @Test
  void speedupIsNaNWhenTheBaselineHasNoMeasuredTime() {
    DecodeResult fast = Results.plain(TOKENS, 10);
    DecodeStats untimed = new DecodeStats(10, 10, 0, 0, 0, new long[0], new long[0], 0, 0);
    DecodeResult slow = new DecodeResult(TOKENS, StopReason.MAX_NEW_TOKENS, untimed);

    assertTrue(Double.isNaN(new Comparison(fast, slow).speedup()));
  }

  @Test
  void speedupIsNaNWhenTheBaselineProducedNothing() {
    DecodeResult fast = Results.plain(TOKENS, 10);
    DecodeResult empty = Results.plain(new int[0], 3);

    assertTrue(Double.isNaN(new Comparison(fast, empty).speedup()));
  }
}
