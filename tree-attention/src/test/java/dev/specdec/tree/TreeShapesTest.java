package dev.specdec.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeShapesTest {

  @Test
  void shippedMedusaShapesAreTheGreedyTreesOfTheAssumedAccuracies() {
    for (int n : new int[] {8, 16, 32, 63}) {
      TreeShape shipped = TreeShapes.shipped("medusa-" + n);
      assertEquals(n + 1, shipped.size(), "medusa-" + n);
      assertEquals(
          TreeSearch.maximizeExpectedLength(TreeShapes.ASSUMED_ACCURACIES, n),
          shipped,
          "medusa-" + n + " must be reproducible by TreeSearch");
      assertTrue(shipped.maxDepth() <= 4, "four Medusa heads");
    }
    assertEquals(TreeShape.chain(4), TreeShapes.shipped("chain-4"));
  }

  @Test
  void unknownShippedNameListsTheShippedOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TreeShapes.shipped("medusa-7"));
    assertTrue(e.getMessage().contains("medusa-63"), e.getMessage());
  }

  @Test
  void parsesABareChoiceListAndNamedLists() {
    TreeShape bare = TreeShapes.parse("[[0], [1],\n [0, 0]]", "t.json", null);
    assertEquals("[[0], [1], [0, 0]]", bare.toChoiceList());
    String named = "{\"a\": [[0]], \"b\": [[0], [0, 0]]}";
    assertEquals(TreeShape.chain(2), TreeShapes.parse(named, "t.json", "b"));
    IllegalArgumentException which =
        assertThrows(IllegalArgumentException.class, () -> TreeShapes.parse(named, "t.json", null));
    assertTrue(which.getMessage().contains("FILE#NAME"), which.getMessage());
    IllegalArgumentException missing =
        assertThrows(IllegalArgumentException.class, () -> TreeShapes.parse(named, "t.json", "c"));
    assertTrue(missing.getMessage().contains("[a, b]"), missing.getMessage());
  }

  @Test
  void malformedJsonNamesFileLineAndColumn() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TreeShapes.parse("[[0],\n [1, x]]", "t.json", null));
    assertTrue(e.getMessage().startsWith("t.json:2:6: expected a rank"), e.getMessage());
    IllegalArgumentException negative =
        assertThrows(
            IllegalArgumentException.class, () -> TreeShapes.parse("[[0], [-1]]", "t.json", null));
    assertTrue(negative.getMessage().contains("must be >= 0"), negative.getMessage());
  }

  @Test
  void treeWithAnOrphanSaysWhichParentToAdd() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TreeShapes.parse("[[0], [1, 0]]", "t.json", null));
    assertEquals("t.json: choice [1, 0] has no parent: add [1] to the tree", e.getMessage());
  }

  @Test
  void loadsMedusasPublishedChoiceListsFromTheSharedData() throws Exception {
    Path file = Path.of("../../shared/data/trees/medusa_choices.json");
    if (!Files.exists(file)) {
      file = Path.of("../shared/data/trees/medusa_choices.json");
    }
    assumeTrue(Files.exists(file), "Medusa's published choice lists are not under ../shared here");
    TreeShape mc = TreeShapes.load(file, "mc_sim_7b_63");
    assertEquals(64, mc.size());
    assertEquals(4, mc.maxDepth());
    assertEquals(10, mc.maxTopK());
  }

  @Test
  void loadsAFileItWroteAndReadsItBackEqual(@TempDir Path dir) throws Exception {
    TreeShape shape = TreeShapes.shipped("medusa-16");
    Path file = dir.resolve("t.json");
    Files.writeString(file, shape.toChoiceList());
    assertEquals(shape, TreeShapes.load(file, null));
  }

  @Test
  void leafPathsCoverTheVllmTree() {
    TreeShape shape = TreeShapes.parse("[[0], [1], [0, 0], [0, 1], [1, 0], [1, 1]]", "v", null);
    assertArrayEquals(new int[] {3, 4, 5, 6}, shape.leaves());
    assertArrayEquals(new int[][] {{0, 1, 3}, {0, 1, 4}, {0, 2, 5}, {0, 2, 6}}, shape.leafPaths());
    assertArrayEquals(new int[][] {{0, 1, 2}}, TreeShape.chain(2).leafPaths());
  }
}
