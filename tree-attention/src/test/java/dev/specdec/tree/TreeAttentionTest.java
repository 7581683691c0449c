package dev.specdec.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import org.junit.jupiter.api.Test;

class TreeAttentionTest {

  /** Renders a mask as rows of '1' (attends) and '.' (blocked), past columns first. */
  private static String[] render(TokenTree tree, int past) {
    FloatBuffer mask = FloatBuffer.allocate(TreeAttention.maskSize(tree.size(), past));
    TreeAttention.writeMask(tree, past, mask);
    int width = past + tree.size();
    String[] rows = new String[tree.size()];
    for (int r = 0; r < tree.size(); r++) {
      StringBuilder sb = new StringBuilder();
      for (int c = 0; c < width; c++) {
        float v = mask.get(r * width + c);
        sb.append(v == 0f ? '1' : v == TreeAttention.BLOCKED ? '.' : '?');
      }
      rows[r] = sb.toString();
    }
    return rows;
  }

  private static long[] positions(TokenTree tree, int past) {
    LongBuffer out = LongBuffer.allocate(tree.size());
    TreeAttention.writePositionIds(tree, past, out);
    return out.array();
  }

  @Test
  void chainMaskIsCausalOverNewTokensAndOpenOverThePast() {
    TokenTree chain = TokenTree.chain(7, 8, 9, 10);
    assertArrayEquals(new String[] {"1111...", "11111..", "111111.", "1111111"}, render(chain, 3));
    assertArrayEquals(new long[] {3, 4, 5, 6}, positions(chain, 3));
  }

  @Test
  void twoLevelBinaryTreeMatchesVllmGoldenMask() {
    // vLLM's choices [(0,),(1,),(0,0),(0,1),(1,0),(1,1)] with the root in front.
    TokenTree tree =
        TokenTree.of(new int[] {100, 10, 11, 20, 21, 22, 23}, new int[] {-1, 0, 0, 1, 1, 2, 2});
    assertArrayEquals(
        new String[] {
          "11" + "1......",
          "11" + "11.....",
          "11" + "1.1....",
          "11" + "11.1...",
          "11" + "11..1..",
          "11" + "1.1..1.",
          "11" + "1.1...1",
        },
        render(tree, 2));
    assertArrayEquals(new long[] {2, 3, 3, 4, 4, 4, 4}, positions(tree, 2));
  }

  @Test
  void inputIdsAreNodeTokensInNodeOrder() {
    TokenTree tree = TokenTree.of(new int[] {5, 6, 7}, new int[] {-1, 0, 0});
    LongBuffer ids = LongBuffer.allocate(3);
    TreeAttention.writeInputIds(tree, ids);
    assertArrayEquals(new long[] {5, 6, 7}, ids.array());
  }

  @Test
  void writesFromTheBufferPositionIntoDirectBuffersWithoutMovingIt() {
    TokenTree chain = TokenTree.chain(1, 2);
    FloatBuffer mask =
        ByteBuffer.allocateDirect(4 * 16).order(ByteOrder.nativeOrder()).asFloatBuffer();
    mask.position(4);
    TreeAttention.writeMask(chain, 0, mask);
    assertEquals(4, mask.position());
    assertEquals(0f, mask.get(4));
    assertEquals(TreeAttention.BLOCKED, mask.get(5));
    assertEquals(0f, mask.get(6));
    assertEquals(0f, mask.get(7));
  }

  @Test
  void rootOnlyWithNoPastIsASingleOpenCell() {
    assertArrayEquals(new String[] {"1"}, render(TokenTree.rootOnly(3), 0));
  }
}
