package dev.specdec.drafting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.model.ForwardOutput;
import dev.specdec.model.MedusaHeads;
import dev.specdec.tree.TokenTree;
import dev.specdec.tree.TreeShape;
import dev.specdec.tree.TreeSpec;
import org.junit.jupiter.api.Test;

class MedusaDrafterTest {
  private static final int V = 10;
  private static final int H = 2;

  /** Head k's logits put token (h0 + k + r) % V at rank r: a descending ramp over tokens. */
  private static final class FakeHeads implements MedusaHeads {
    int runs;
    boolean closed;

    @Override
    public String name() {
      return "fake-medusa";
    }

    @Override
    public String targetName() {
      return "fake-target";
    }

    @Override
    public int heads() {
      return 3;
    }

    @Override
    public int hiddenSize() {
      return H;
    }

    @Override
    public int vocabSize() {
      return V;
    }

    @Override
    public void run(float[] hiddenState, float[] logits) {
      runs++;
      int h0 = (int) hiddenState[0];
      for (int k = 0; k < 3; k++) {
        for (int r = 0; r < V; r++) {
          logits[k * V + (h0 + k + r) % V] = -r;
        }
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** A target pass whose row i has hidden state (i, 0). */
  private static ForwardOutput pass(int rows) {
    return new ForwardOutput() {
      @Override
      public int rows() {
        return rows;
      }

      @Override
      public int vocabSize() {
        return V;
      }

      @Override
      public int hiddenSize() {
        return H;
      }

      @Override
      public float logit(int row, int token) {
        return 0;
      }

      @Override
      public void copyLogits(int row, float[] dst) {}

      @Override
      public void copyHiddenState(int row, float[] dst) {
        dst[0] = row;
        dst[1] = 0;
      }
    };
  }

  @Test
  void fillsEachDepthWithItsHeadsTopKFromTheLastAcceptedHiddenState() {
    FakeHeads heads = new FakeHeads();
    MedusaDrafter drafter = MedusaDrafter.of(heads, TreeSpec.parse("medusa-8"));
    drafter.targetCommitting(0, new int[] {0, 2, 4}, pass(6)); // last accepted row 4: h0 = 4
    drafter.accepted(new int[] {0, 2, 4});
    Proposal proposal = drafter.propose(TokenContext.of(1, 2, 7), 64);
    TokenTree tree = proposal.tree();
    assertEquals(7, tree.token(0));
    assertEquals(9, tree.size());
    for (int i = 1; i < tree.size(); i++) {
      int depth = tree.depth(i);
      int rank = java.util.Arrays.asList(box(tree.children(tree.parent(i)))).indexOf(i);
      // head depth-1 ranks token (4 + depth - 1 + rank) % V at rank `rank`
      assertEquals((4 + depth - 1 + rank) % V, tree.token(i), "node " + i);
    }
    for (int i = 0; i < tree.size(); i++) {
      assertNull(proposal.draftDistribution(i), "top-k drafts are deterministic: q = point mass");
    }
    assertEquals(1, heads.runs);
  }

  private static Integer[] box(int[] values) {
    Integer[] out = new Integer[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  @Test
  void withoutAFreshTargetPassItProposesTheRootAlone() {
    FakeHeads heads = new FakeHeads();
    MedusaDrafter drafter =
        MedusaDrafter.of(heads, new TreeSpec.Static("chain-3", TreeShape.chain(3)));
    assertEquals(TokenTree.rootOnly(3), drafter.propose(TokenContext.of(3), 4).tree());
    drafter.targetCommitting(0, new int[] {0, 1}, pass(2));
    drafter.accepted(new int[] {0, 1});
    assertEquals(4, drafter.propose(TokenContext.of(3, 4), 4).tree().size());
    drafter.accepted(new int[] {0}); // a loop that skipped targetCommitting: the state is stale now
    assertEquals(1, drafter.propose(TokenContext.of(3, 4, 5), 4).tree().size());
    assertEquals(0, drafter.propose(TokenContext.of(3, 4, 5), 4).tree().draftCount());
  }

  @Test
  void dynamicTreeUsesHeadProbabilitiesAndKeepsTheBudget() {
    MedusaDrafter drafter =
        MedusaDrafter.of(new FakeHeads(), TreeSpec.parse("dynamic:budget=6,depth=3,topk=2"));
    drafter.targetCommitting(0, new int[] {0}, pass(1));
    drafter.accepted(new int[] {0});
    TokenTree tree = drafter.propose(TokenContext.of(1, 8), 64).tree();
    assertEquals(7, tree.size());
    // Ranks' probabilities fall by e per rank: the chain of top-1s is always kept.
    assertArrayEquals(
        new int[] {8, 0, 1, 2}, tree.tokensTo(tree.leaves()[tree.leaves().length - 1]));
  }

  @Test
  void treeDeeperThanTheHeadsIsRejectedWithAFix() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MedusaDrafter.of(new FakeHeads(), TreeSpec.parse("chain-4")));
    assertTrue(e.getMessage().contains("depth <= 3"), e.getMessage());
  }

  @Test
  void closingTheDrafterClosesTheHeads() {
    FakeHeads heads = new FakeHeads();
    MedusaDrafter.of(heads, TreeSpec.parse("medusa-8")).close();
    assertTrue(heads.closed);
  }
}
