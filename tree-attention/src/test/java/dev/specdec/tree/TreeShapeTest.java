package dev.specdec.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TreeShapeTest {

  @Test
  void ordersChoicesByDepthThenRankAndLinksParents() {
    TreeShape shape =
        TreeShape.of(
            List.of(
                new int[] {1, 1},
                new int[] {0},
                new int[] {0, 1},
                new int[] {1},
                new int[] {1, 0},
                new int[] {0, 0}));
    assertEquals(7, shape.size());
    assertEquals("[[0], [1], [0, 0], [0, 1], [1, 0], [1, 1]]", shape.toChoiceList());
    TokenTree tree = shape.fill(100, node -> 10 * node);
    assertArrayEquals(new int[] {-1, 0, 0, 1, 1, 2, 2}, tree.parents());
    assertArrayEquals(new int[] {100, 10, 20, 30, 40, 50, 60}, tree.tokens());
    assertEquals(2, shape.maxTopK());
    assertEquals(2, shape.maxDepth());
    assertEquals(1, shape.rank(4));
  }

  @Test
  void chainShapeIsTopOneAtEveryDepth() {
    TreeShape chain = TreeShape.chain(3);
    assertEquals("[[0], [0, 0], [0, 0, 0]]", chain.toChoiceList());
    assertEquals(1, chain.maxTopK());
  }

  @Test
  void rejectsAChoiceWithoutItsParent() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TreeShape.of(List.of(new int[] {0}, new int[] {1, 0})));
    assertEquals("choice [1, 0] has no parent: add [1] to the tree", e.getMessage());
  }

  @Test
  void rejectsDuplicatesAndEmptyPaths() {
    assertThrows(
        IllegalArgumentException.class, () -> TreeShape.of(List.of(new int[] {0}, new int[] {0})));
    assertThrows(IllegalArgumentException.class, () -> TreeShape.of(List.of(new int[0])));
  }
}
