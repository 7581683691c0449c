package dev.specdec.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.specdec.drafting.Drafter;
import dev.specdec.drafting.Proposal;
import dev.specdec.drafting.TokenContext;
import dev.specdec.model.CacheStats;
import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.ModelInfo;
import dev.specdec.model.testing.FakeLm;
import dev.specdec.tree.TokenTree;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Trees proposed to a target without tree masks are verified along their first path. */
class FirstPathTest {
  //        0
  //      /   \
  //     1     2
  //    / \
  //   3   4
  //   |
  //   5
  private static final TokenTree TREE =
      TokenTree.of(new int[] {10, 11, 12, 13, 14, 15}, new int[] {-1, 0, 0, 1, 1, 3});

  @Test
  void followsTheFirstChildAtEveryLevel() {
    assertArrayEquals(new int[] {0, 1, 3, 5}, FirstPath.nodes(TREE));
    assertArrayEquals(new int[] {0}, FirstPath.nodes(TokenTree.rootOnly(7)));
  }

  @Test
  void keepsTokensAndEachNodesDraftDistribution() {
    float[][] q = new float[6][];
    for (int i = 0; i < q.length; i++) {
      q[i] = new float[] {i};
    }
    Proposal proposal = new Proposal(TREE, node -> q[node]);
    int[] nodes = FirstPath.nodes(TREE);
    Proposal chain = FirstPath.reduce(proposal, nodes);
    assertEquals(TokenTree.chain(10, 11, 13, 15), chain.tree());
    for (int k = 0; k < nodes.length; k++) {
      assertSame(q[nodes[k]], chain.draftDistribution(k));
    }
    assertArrayEquals(new int[] {0, 1, 3}, FirstPath.original(new int[] {0, 1, 2}, nodes));
  }

  /**
   * A drafter whose trees put the target's greedy continuation on the first path and a wrong token
   * as a sibling: a chain-only target sees chains only, output equals plain decoding, and the
   * drafter hears accepted paths in its own tree's node indices.
   */
  @Test
  void decoderVerifiesChainsOnlyAndReportsOriginalNodes() {
    FakeLm fake = FakeLm.target(32, 64, 3, 3.0);
    int[] prompt = {1, 5, 9};
    int[] plain = TestSupport.plain(fake, prompt, GenerationRequest.of(12, 0)).tokens();
    int[] reference = new int[prompt.length + plain.length + 8];
    System.arraycopy(prompt, 0, reference, 0, prompt.length);
    System.arraycopy(plain, 0, reference, prompt.length, plain.length);
    ChainOnly target = new ChainOnly(fake);
    SiblingDrafter drafter = new SiblingDrafter(reference);
    DecodeResult result =
        SpeculativeDecoder.builder(target)
            .drafter(drafter)
            .draftTokens(3)
            .build()
            .generate(prompt, GenerationRequest.of(12, 0), t -> {});
    assertArrayEquals(plain, result.tokens());
    assertTrue(target.trees.stream().allMatch(TokenTree::isChain), "a tree reached the target");
    assertTrue(target.trees.stream().anyMatch(t -> t.size() == 3), "no step drafted two tokens");
    // each full step accepts the first path's two drafts: nodes 0, 1, 3 of the 4-node tree
    assertTrue(
        drafter.paths.stream().anyMatch(p -> java.util.Arrays.equals(p, new int[] {0, 1, 3})),
        "accepted paths were not mapped back to the drafter's nodes");
  }

  /**
   * Root, then the true next token (node 1) with the true one after it (node 3), and a wrong
   * sibling (node 2).
   */
  private static final class SiblingDrafter implements Drafter {
    private final int[] reference;
    final List<int[]> paths = new ArrayList<>();

    SiblingDrafter(int[] reference) {
      this.reference = reference;
    }

    @Override
    public Proposal propose(TokenContext context, int maxDrafts) {
      int n = context.length();
      if (maxDrafts < 3) {
        return Proposal.rootOnly(context.last());
      }
      int next = reference[n];
      return Proposal.deterministic(
          TokenTree.of(
              new int[] {context.last(), next, (next + 1) % 32, reference[n + 1]},
              new int[] {-1, 0, 0, 1}));
    }

    @Override
    public void accepted(int[] path) {
      paths.add(path.clone());
    }

    @Override
    public void reset() {
      paths.clear();
    }

    @Override
    public String name() {
      return "siblings";
    }
  }

  /** Delegates to a model but declares no tree-mask support, recording every tree it runs. */
  private static final class ChainOnly implements CausalLm {
    private final CausalLm lm;
    final List<TokenTree> trees = new ArrayList<>();

    ChainOnly(CausalLm lm) {
      this.lm = lm;
    }

    @Override
    public boolean supportsTreeMasks() {
      return false;
    }

    @Override
    public ModelInfo info() {
      return lm.info();
    }

    @Override
    public int cacheLength() {
      return lm.cacheLength();
    }

    @Override
    public int capacity() {
      return lm.capacity();
    }

    @Override
    public ForwardOutput forward(TokenTree tree) {
      trees.add(tree);
      return lm.forward(tree);
    }

    @Override
    public void commit(int[] nodes) {
      lm.commit(nodes);
    }

    @Override
    public void commitPrefix(int count) {
      lm.commitPrefix(count);
    }

    @Override
    public void truncate(int length) {
      lm.truncate(length);
    }

    @Override
    public CacheStats stats() {
      return lm.stats();
    }

    @Override
    public void close() {
      lm.close();
    }
  }
}
