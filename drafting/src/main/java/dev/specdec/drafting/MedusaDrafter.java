package dev.specdec.drafting;

import dev.specdec.model.ForwardOutput;
import dev.specdec.model.MedusaHeads;
import dev.specdec.tree.GrownTree;
import dev.specdec.tree.TokenTree;
import dev.specdec.tree.TreeGrower;
import dev.specdec.tree.TreeSpec;
import java.util.Arrays;
import java.util.Objects;

/**
 * Drafts a tree with Medusa heads (Cai et al. 2024) on the target's hidden state.
 *
 * <p>After each target pass ({@link #targetCommitting}) the drafter copies the hidden state of the
 * last accepted token, at position n; the target's own logits there chose the next root x[n+1]. On
 * {@link #propose} it runs the K heads once: head k ranks the candidates for x[n+k+2], i.e. the
 * drafts at depth k + 1 of the tree. A static shape takes, for a node of rank path (r1, ..., rd),
 * head d-1's rank-rd token (all parents at one depth share the same candidates, as in Medusa). A
 * dynamic tree grows the same candidates by their cumulative head probability (softmax of the raw
 * head logits, temperature 1), EAGLE-2 style. Without a hidden state (a one-token prompt's first
 * step) the proposal is the root alone.
 *
 * <p>Rejection sampling: the heads' top-k drafts are chosen, not sampled, so the proposal records
 * no distribution ({@link Proposal#deterministic}): each child's q is a point mass at its token.
 * Siblings are distinct tokens, and the recursive rule then accepts the first child with
 * probability p(x1), else renormalizes p with x1 removed and tries the next, and samples the
 * correction from what is left; the emitted token follows the target's warped p exactly, whatever
 * the heads propose.
 *
 * <p>Owns the heads: {@link #close()} closes them. Not thread-safe.
 */
public final class MedusaDrafter implements Drafter {
  private final MedusaHeads heads;
  private final TreeSpec spec;
  private final int vocab;
  private final float[] hidden; // (H) at the last accepted token
  private final float[] logits; // (K, V)
  private final int[][] topTokens; // (K, maxK) per head, filled lazily per step
  private final float[][] topProbs; // (K, maxK)
  private final int[] topFilled; // (K) how many of each head's top list are valid this step
  private boolean fresh; // hidden came from the target pass right before this propose
  private boolean ran; // logits are for the current hidden state
  private boolean passSinceAccepted; // targetCommitting came after the last accepted()

  private MedusaDrafter(MedusaHeads heads, TreeSpec spec) {
    this.heads = heads;
    this.spec = spec;
    this.vocab = heads.vocabSize();
    this.hidden = new float[heads.hiddenSize()];
    this.logits = new float[heads.heads() * vocab];
    this.topTokens = new int[heads.heads()][0];
    this.topProbs = new float[heads.heads()][0];
    this.topFilled = new int[heads.heads()];
  }

  /**
   * A drafter over {@code heads}, which it owns from now on.
   *
   * @param spec the tree: its depth must not exceed the number of heads
   * @throws IllegalArgumentException when the tree is deeper than the heads reach, or asks for more
   *     candidates per position than the vocabulary holds
   */
  public static MedusaDrafter of(MedusaHeads heads, TreeSpec spec) {
    Objects.requireNonNull(heads, "heads");
    Objects.requireNonNull(spec, "spec");
    if (spec.maxDepth() > heads.heads()) {
      throw new IllegalArgumentException(
          "tree '"
              + spec.describe()
              + "' is "
              + spec.maxDepth()
              + " levels deep, but the Medusa model '"
              + heads.name()
              + "' has "
              + heads.heads()
              + " heads (one per level): use a tree of depth <= "
              + heads.heads());
    }
    return new MedusaDrafter(heads, spec);
  }

  @Override
  public void targetCommitting(int firstPosition, int[] path, ForwardOutput output) {
    if (output.hiddenSize() != hidden.length) {
      throw new IllegalArgumentException(
          "target hidden size "
              + output.hiddenSize()
              + " differs from the Medusa heads' "
              + hidden.length);
    }
    output.copyHiddenState(path[path.length - 1], hidden);
    fresh = true;
    ran = false;
    passSinceAccepted = true;
  }

  @Override
  public Proposal propose(TokenContext context, int maxDrafts) {
    if (maxDrafts < 0) {
      throw new IllegalArgumentException("maxDrafts must be >= 0, was " + maxDrafts);
    }
    if (!fresh || maxDrafts == 0) {
      return Proposal.rootOnly(context.last());
    }
    if (!ran) {
      heads.run(hidden, logits);
      Arrays.fill(topFilled, 0);
      ran = true;
    }
    GrownTree grown = TreeGrower.grow(context.last(), spec, maxDrafts, this::expand);
    return Proposal.deterministic(grown.tree(), Conditionals.of(grown));
  }

  /** Every node at depth d gets head d's top-k: the heads see only the last accepted state. */
  private void expand(TokenTree tree, int[] nodes, int k, int[] tokens, float[] probs) {
    int head = tree.depth(nodes[0]);
    if (topFilled[head] < k) {
      if (topTokens[head].length < k) {
        topTokens[head] = new int[k];
        topProbs[head] = new float[k];
      }
      TopK.of(logits, head * vocab, vocab, k, topTokens[head], topProbs[head], 0);
      topFilled[head] = k;
    }
    for (int j = 0; j < nodes.length; j++) {
      System.arraycopy(topTokens[head], 0, tokens, j * k, k);
      System.arraycopy(topProbs[head], 0, probs, j * k, k);
    }
  }

  @Override
  public void accepted(int[] path) {
    // The hidden state of the accepted path arrives in targetCommitting, just before this call; a
    // loop
    // that never calls targetCommitting leaves a stale state, which must not be drafted from.
    if (!passSinceAccepted) {
      fresh = false;
    }
    passSinceAccepted = false;
  }

  @Override
  public void reset() {
    fresh = false;
    passSinceAccepted = false;
    ran = false;
  }

  @Override
  public String name() {
    return "medusa";
  }

  /** The tree this drafter grows. */
  public TreeSpec tree() {
    return spec;
  }

  /** Closes the heads. */
  @Override
  public void close() {
    heads.close();
  }
}
