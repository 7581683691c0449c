package dev.specdec.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenTreeTest {
  private final TokenTree tree =
      TokenTree.of(new int[] {100, 10, 11, 20, 21, 22, 23}, new int[] {-1, 0, 0, 1, 1, 2, 2});

  @Test
  void computesDepthsChildrenAndPaths() {
    assertEquals(2, tree.maxDepth());
    assertArrayEquals(new int[] {1, 2}, tree.children(0));
    assertArrayEquals(new int[] {5, 6}, tree.children(2));
    assertArrayEquals(new int[] {0, 2, 6}, tree.pathTo(6));
    assertArrayEquals(new int[] {100, 11, 23}, tree.tokensTo(6));
    assertArrayEquals(new int[] {3, 4, 5, 6}, tree.leaves());
    assertEquals(5, tree.childWithToken(2, 22));
    assertEquals(-1, tree.childWithToken(2, 20));
    assertTrue(tree.isAncestor(2, 6));
    assertFalse(tree.isAncestor(1, 6));
    assertFalse(tree.isChain());
  }

  @Test
  void chainIsADegenerateTree() {
    TokenTree chain = TokenTree.chain(1, 2, 3);
    assertTrue(chain.isChain());
    assertEquals(2, chain.draftCount());
    assertArrayEquals(new int[] {0, 1, 2}, chain.pathTo(2));
    assertArrayEquals(new int[] {2}, chain.leaves());
  }

  @Test
  void isImmutableAgainstItsInputArrays() {
    int[] tokens = {1, 2};
    TokenTree chain = TokenTree.chainOf(tokens);
    tokens[1] = 99;
    assertEquals(2, chain.token(1));
    chain.tokens()[0] = 42;
    assertEquals(1, chain.token(0));
  }

  @Test
  void rejectsParentsThatBreakTopologicalOrder() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TokenTree.of(new int[] {1, 2, 3}, new int[] {-1, 2, 0}));
    assertEquals("parent of node 1 must be in [0, 1), was 2", e.getMessage());
  }

  @Test
  void rejectsEmptyTreesMismatchedArraysAndNegativeTokens() {
    assertThrows(IllegalArgumentException.class, () -> TokenTree.chainOf(new int[0]));
    assertThrows(
        IllegalArgumentException.class, () -> TokenTree.of(new int[] {1, 2}, new int[] {-1}));
    assertThrows(
        IllegalArgumentException.class, () -> TokenTree.of(new int[] {1, -2}, new int[] {-1, 0}));
    assertThrows(IllegalArgumentException.class, () -> TokenTree.of(new int[] {1}, new int[] {0}));
  }
}
