package dev.specdec.drafting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.model.testing.FakeLm;
import dev.specdec.sampling.SamplingConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DraftModelDrafterTest {
  private static final int V = 24;

  @Test
  void capsDraftsAtTheDraftModelsCapacity() {
    FakeLm target = FakeLm.target(V, 64, 31, 1.5);
    FakeLm draftLm = FakeLm.draftOf(target, 8, 32, 0.0);
    DraftModelDrafter drafter =
        Drafter.draftModel(draftLm, SamplingConfig.greedy(), 8, new SplittableRandom(0));
    TokenContext six = context(1, 2, 3, 4, 5, 6);
    // 6 context tokens + 3 drafts, of which the last is not run: 8 positions.
    assertEquals(3, drafter.propose(six, 8).tree().draftCount());
    drafter.accepted(new int[] {0});
    assertEquals(0, drafter.propose(context(1, 2, 3, 4, 5, 6, 7, 8, 9), 8).tree().draftCount());
  }

  @Test
  void rejectsKOutsideOneToSixtyFour() {
    FakeLm lm = FakeLm.target(V, 16, 1, 1.0);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Drafter.draftModel(lm, SamplingConfig.greedy(), 0, new SplittableRandom(0)));
    assertEquals("draft tokens per step (k) must be in [1, 64], was 0", e.getMessage());
  }

  @Test
  void closingTheDrafterClosesItsModel() {
    FakeLm lm = FakeLm.target(V, 16, 1, 1.0);
    Drafter.draftModel(lm, SamplingConfig.greedy(), 2, new SplittableRandom(0)).close();
    assertTrue(lm.isClosed());
  }

  private static TokenContext context(int... tokens) {
    return new TokenContext() {
      @Override
      public int length() {
        return tokens.length;
      }

      @Override
      public int token(int index) {
        return tokens[index];
      }
    };
  }
}
