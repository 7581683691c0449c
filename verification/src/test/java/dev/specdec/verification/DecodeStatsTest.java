package dev.specdec.verification;

import static dev.specdec.verification.TestSupport.plain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.model.testing.FakeLm;
import org.junit.jupiter.api.Test;

class DecodeStatsTest {

  @Test
  void scriptedAcceptedLengthsGiveExactStats() {
    int vocab = 32;
    FakeLm target = FakeLm.target(vocab, 96, 8, 2.0);
    int[] prompt = {3, 1, 4};
    int[] ref = plain(target, prompt, GenerationRequest.of(30, 0)).tokens();
    int[] script = {3, 0, 2, 1, 3};
    ScriptedDrafter drafter =
        new ScriptedDrafter(SpeculativeDecoderTest.concat(prompt, ref), script, 3, vocab);
    // 4 + 1 + 3 + 2 + 4 = 14 tokens: exactly the five scripted steps.
    DecodeResult result =
        SpeculativeDecoder.builder(target)
            .drafter(drafter)
            .draftTokens(3)
            .build()
            .generate(prompt, GenerationRequest.of(14, 0), t -> {});
    DecodeStats s = result.stats();
    assertArrayEquals(java.util.Arrays.copyOf(ref, 14), result.tokens());
    assertEquals(StopReason.MAX_NEW_TOKENS, result.stopReason());
    assertEquals(14, s.newTokens());
    assertEquals(5, s.targetPasses());
    assertEquals(5, s.draftingSteps());
    assertEquals(15, s.draftedTokens());
    assertEquals(9, s.acceptedTokens());
    assertArrayEquals(new long[] {5, 5, 5}, s.draftedByPosition());
    assertArrayEquals(new long[] {4, 3, 2}, s.acceptedByPosition());
    assertEquals(2.8, s.meanAcceptedLength(), 1e-12);
    assertEquals(0.6, s.acceptanceRate(), 1e-12);
    assertArrayEquals(new double[] {0.8, 0.6, 0.4}, s.acceptanceByPosition(), 1e-12);
    assertTrue(s.tokensPerSecond() > 0);
  }

  @Test
  void plainDecodingHasMeanLengthOneAndNoAcceptanceRate() {
    FakeLm target = FakeLm.target(16, 64, 9, 1.0);
    DecodeStats s = plain(target, new int[] {1, 2}, GenerationRequest.of(10, 0)).stats();
    assertEquals(10, s.targetPasses());
    assertEquals(0, s.draftingSteps());
    assertEquals(1.0, s.meanAcceptedLength());
    assertTrue(Double.isNaN(s.acceptanceRate()));
    // One entry per draft position of the default k = 4, none drafted.
    assertArrayEquals(
        new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN}, s.acceptanceByPosition());
  }

  @Test
  void acceptanceByPositionDividesByTheStepsThatDraftedThatDeep() {
    // Two steps: 4 drafts all accepted, then 2 drafts both accepted. 6 of 6 accepted overall, so
    // every position drafted must read 100 %, not 1 of 2 steps at positions 3 and 4.
    DecodeStats s =
        new DecodeStats(8, 2, 2, 6, 6, new long[] {2, 2, 1, 1}, new long[] {2, 2, 1, 1}, 1, 1);
    assertEquals(1.0, s.acceptanceRate());
    assertArrayEquals(new double[] {1.0, 1.0, 1.0, 1.0}, s.acceptanceByPosition(), 1e-12);
  }

  @Test
  void statsCopyTheirArrays() {
    long[] drafted = {2, 1};
    DecodeStats s = new DecodeStats(3, 2, 2, 3, 1, drafted, new long[] {1, 0}, 10, 20);
    drafted[0] = 99;
    s.draftedByPosition()[1] = 99;
    assertArrayEquals(new long[] {2, 1}, s.draftedByPosition());
    assertEquals(3 / 30e-9, s.tokensPerSecond(), 1e-3);
  }
}
