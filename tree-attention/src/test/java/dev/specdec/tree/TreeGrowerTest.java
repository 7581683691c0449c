package dev.specdec.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TreeGrowerTest {

  /**
   * A deterministic source: after the path of tokens t0..td, candidate r is token {@code 10 * (last
   * + 1) + r} with probability {@code 0.5^(r+1)}, or random probabilities when seeded.
   */
  private static final class Source implements ChildSource {
    final List<TokenTree> runs = new ArrayList<>();
    final SplittableRandom random;

    Source(SplittableRandom random) {
      this.random = random;
    }

    @Override
    public void expand(TokenTree tree, int[] nodes, int k, int[] tokens, float[] probs) {
      runs.add(tree);
      int depth = tree.depth(nodes[0]);
      for (int j = 0; j < nodes.length; j++) {
        assertEquals(depth, tree.depth(nodes[j]), "one level at a time");
        float left = 1f;
        for (int r = 0; r < k; r++) {
          tokens[j * k + r] = (tree.token(nodes[j]) * 7 + r + 1) % 1000;
          float p = random == null ? (float) Math.pow(0.5, r + 1) : left * random.nextFloat();
          left -= p;
          probs[j * k + r] = p;
        }
      }
    }
  }

  @Test
  void staticShapeIsFilledRankByRankAndRunsOnlyInnerNodes() {
    TreeShape shape = TreeShapes.parse("[[0], [1], [0, 0], [0, 1], [1, 0], [1, 1]]", "v", null);
    Source source = new Source(null);
    GrownTree grown = TreeGrower.grow(3, new TreeSpec.Static("v", shape), 64, source);
    assertArrayEquals(new int[] {-1, 0, 0, 1, 1, 2, 2}, grown.tree().parents());
    assertArrayEquals(new int[] {3, 22, 23, 155, 156, 162, 163}, grown.tree().tokens());
    assertEquals(0.25f * 0.5f, grown.values()[4]);
    assertEquals(2, source.runs.size());
    assertEquals(TokenTree.of(new int[] {3, 22, 23}, new int[] {-1, 0, 0}), grown.lastRun());
    assertArrayEquals(new int[] {0, 1, 2, -1, -1, -1, -1}, grown.lastRunIndex());
    assertArrayEquals(new int[] {0, 2}, grown.runPrefix(new int[] {0, 2, 6}));
  }

  @Test
  void staticShapeIsCutToTheStepsDraftLimit() {
    GrownTree grown =
        TreeGrower.grow(
            3, new TreeSpec.Static("m", TreeShapes.shipped("medusa-16")), 5, new Source(null));
    assertEquals(6, grown.tree().size());
    assertEquals(
        TokenTree.rootOnly(3),
        TreeGrower.grow(3, TreeSpec.parse("medusa-8"), 0, new Source(null)).tree());
  }

  @Test
  void dynamicTreeKeepsTheBudgetMostProbableCandidatesAndIsATree() {
    for (int seed = 0; seed < 200; seed++) {
      Source source = new Source(new SplittableRandom(seed));
      TreeSpec.Dynamic spec = new TreeSpec.Dynamic(1 + seed % 20, 1 + seed % 5, 1 + seed % 4);
      GrownTree grown = TreeGrower.grow(9, spec, 64, source);
      TokenTree tree = grown.tree();
      assertTrue(tree.draftCount() <= spec.budget());
      assertTrue(tree.maxDepth() <= spec.depth());
      for (int i = 1; i < tree.size(); i++) {
        assertTrue(tree.depth(i) >= tree.depth(i - 1), "nodes by depth");
        assertTrue(grown.values()[i] <= grown.values()[tree.parent(i)]);
        int run = grown.lastRunIndex()[i];
        if (run >= 0) {
          assertEquals(tree.token(i), grown.lastRun().token(run));
          assertEquals(grown.lastRunIndex()[tree.parent(i)], grown.lastRun().parent(run));
        }
      }
      assertEquals(Math.min(spec.depth(), spec.budget()), source.runs.size());
    }
  }

  @Test
  void dynamicTreeMatchesAHandWorkedExample() {
    // Probabilities 0.5, 0.25 per rank; budget 3, depth 2, topk 2: candidates at level 1 are
    // a(.5) b(.25); expand both; level 2: aa(.25) ab(.125) ba(.125) bb(.0625). Best three: a, b
    // and aa (ties to the earlier generated: b before aa).
    Source source = new Source(null);
    GrownTree grown = TreeGrower.grow(1, new TreeSpec.Dynamic(3, 2, 2), 64, source);
    assertArrayEquals(new int[] {-1, 0, 0, 1}, grown.tree().parents());
    assertArrayEquals(new int[] {1, 8, 9, 57}, grown.tree().tokens());
    assertArrayEquals(new float[] {1f, 0.5f, 0.25f, 0.25f}, grown.values());
  }

  @Test
  void dynamicSpecParsesAndRejectsWithUsage() {
    assertEquals(
        new TreeSpec.Dynamic(16, 4, 3), TreeSpec.parse("dynamic:budget=16,depth=4,topk=3"));
    assertEquals(
        "dynamic:budget=16,depth=4,topk=3",
        TreeSpec.parse("dynamic:topk=3,depth=4,budget=16").describe());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TreeSpec.parse("dynamic:budget=8"));
    assertTrue(e.getMessage().contains("needs budget, depth and topk"), e.getMessage());
    IllegalArgumentException range =
        assertThrows(
            IllegalArgumentException.class,
            () -> TreeSpec.parse("dynamic:budget=99,depth=4,topk=3"));
    assertTrue(range.getMessage().contains("[1, 64]"), range.getMessage());
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> TreeSpec.parse("medusa-9"));
    assertTrue(unknown.getMessage().contains("neither a shipped tree"), unknown.getMessage());
  }
}
