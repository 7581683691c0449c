package dev.specdec.drafting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.tree.TokenTree;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LookupFirstDrafterTest {

  /** Always proposes token 42 and records the paths it is told were accepted. */
  private static final class Recording implements Drafter {
    final List<int[]> accepted = new ArrayList<>();
    boolean closed;

    @Override
    public Proposal propose(TokenContext context, int maxDrafts) {
      return Proposal.deterministic(TokenTree.chain(context.last(), 42));
    }

    @Override
    public void accepted(int[] path) {
      accepted.add(path);
    }

    @Override
    public void reset() {}

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void usesLookupWhenTheMatchIsLongEnoughAndTheFallbackOtherwise() {
    Recording fallback = new Recording();
    try (LookupFirstDrafter drafter =
        LookupFirstDrafter.of(new LookupConfig(3, 1, 4, 1, 64), fallback, 2)) {
      // Only a 1-token match ([3] earlier at 2 -> 9): too short, the fallback drafts.
      Proposal p = drafter.propose(TokenContext.of(new int[] {1, 2, 3, 9, 5, 3}), 4);
      assertFalse(drafter.lastProposalFromLookup());
      assertArrayEquals(new int[] {3, 42}, p.tree().tokens());
      drafter.accepted(new int[] {0});
      assertEquals(1, fallback.accepted.size());

      // [2 3] matches: lookup drafts and the fallback hears nothing of it.
      p = drafter.propose(TokenContext.of(new int[] {1, 2, 3, 9, 5, 3, 1, 2, 3}), 4);
      assertTrue(drafter.lastProposalFromLookup());
      assertArrayEquals(new int[] {3, 9, 5, 3, 1}, p.tree().tokens());
      drafter.accepted(new int[] {0, 1});
      assertEquals(1, fallback.accepted.size());
      assertEquals("lookup+recording", drafter.name());
    }
    assertTrue(fallback.closed);
  }

  @Test
  void rejectsAMinimumMatchOutsideTheNgramRange() {
    assertThrows(
        IllegalArgumentException.class,
        () -> LookupFirstDrafter.of(new LookupConfig(3, 1, 4, 1, 64), new Recording(), 4));
  }
}
