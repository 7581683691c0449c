package dev.specdec.drafting;

import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.ModelInfo;
import dev.specdec.tree.GrownTree;
import dev.specdec.tree.TokenTree;
import dev.specdec.tree.TreeGrower;
import dev.specdec.tree.TreeSpec;
import java.util.Objects;
import java.util.Optional;

/**
 * Drafts a tree with a small causal LM: top-k branching per level, grown level by level (a static
 * shape or a dynamic tree, see {@link TreeGrower}) under the model's own tree mask on its own KV
 * cache.
 *
 * <p>Cache: between steps the draft cache holds a prefix of the context without the pending root.
 * {@link #propose} first runs and commits every context token the cache lacks except the root (one
 * chain pass). Level d then runs the tree of the root and every node expanded so far as one
 * uncommitted pass (each level's pass replaces the previous one: the cache's uncommitted rows are
 * overwritten, never committed), and the candidates of the level's nodes come from their rows. The
 * last pass stays uncommitted until {@link #accepted}: the part of the accepted path that it ran
 * (the root and the accepted drafts that were expanded) is committed by a gather of its rows, and
 * the rest is caught up by the next proposal. Level d of a tree costs one pass over the nodes
 * expanded so far; drafts are cheap, so re-running the upper levels costs less than a pass per
 * node.
 *
 * <p>Drafts are the draft model's top-k tokens under its raw logits (ties to the smaller id),
 * chosen, not sampled: the proposal records no distribution ({@link Proposal#deterministic}), so
 * rejection sampling treats each draft as a point mass and stays exact; siblings are distinct.
 *
 * <p>Owns the model: {@link #close()} closes it. Not thread-safe.
 */
public final class DraftTreeDrafter implements Drafter {
  private final CausalLm model;
  private final TreeSpec spec;
  private final int vocab;
  private final float[] row; // (V) logits of one node
  private GrownTree last; // the last proposal's tree while awaiting a verdict
  private boolean ranLast; // the model holds the last proposal's run tree as its pending pass
  private long tokensRun;

  private DraftTreeDrafter(CausalLm model, TreeSpec spec) {
    this.model = model;
    this.spec = spec;
    this.vocab = model.info().vocabSize();
    this.row = new float[vocab];
  }

  /** A drafter over {@code draft}, which it owns from now on. */
  public static DraftTreeDrafter of(CausalLm draft, TreeSpec spec) {
    Objects.requireNonNull(draft, "draft");
    Objects.requireNonNull(spec, "spec");
    return new DraftTreeDrafter(draft, spec);
  }

  @Override
  public Proposal propose(TokenContext context, int maxDrafts) {
    if (maxDrafts < 0) {
      throw new IllegalArgumentException("maxDrafts must be >= 0, was " + maxDrafts);
    }
    int n = context.length();
    int cached = model.cacheLength();
    if (n - 1 < cached) {
      throw new IllegalStateException(
          "context of "
              + n
              + " tokens is behind the draft cache ("
              + cached
              + " positions): call reset() before a new sequence");
    }
    last = null;
    ranLast = false;
    int budget = Math.min(maxDrafts, spec.maxDrafts());
    if (budget <= 0 || n - 1 + runBound(budget) > model.capacity()) {
      return Proposal.rootOnly(context.last());
    }
    if (cached < n - 1) {
      int[] missing = new int[n - 1 - cached];
      for (int i = 0; i < missing.length; i++) {
        missing[i] = context.token(cached + i);
      }
      model.forward(TokenTree.chainOf(missing));
      tokensRun += missing.length;
      model.commitPrefix(missing.length);
    }
    last = TreeGrower.grow(context.last(), spec, budget, this::expand);
    return Proposal.deterministic(last.tree(), Conditionals.of(last));
  }

  /** The most nodes one level's pass can hold: the root and the nodes expanded so far. */
  private int runBound(int budget) {
    return switch (spec) {
      case TreeSpec.Static s -> budget + 1;
      case TreeSpec.Dynamic d -> 1 + (Math.min(d.depth(), budget) - 1) * Math.min(d.topk(), budget);
    };
  }

  private void expand(TokenTree tree, int[] nodes, int k, int[] tokens, float[] probs) {
    ForwardOutput out = model.forward(tree);
    tokensRun += tree.size();
    ranLast = true;
    for (int j = 0; j < nodes.length; j++) {
      out.copyLogits(nodes[j], row);
      TopK.of(row, 0, vocab, k, tokens, probs, j * k);
    }
  }

  @Override
  public void accepted(int[] path) {
    if (last == null) {
      return; // the root alone was proposed: nothing ran
    }
    if (path.length == 0 || path.length > last.tree().size()) {
      throw new IllegalArgumentException(
          "accepted path of " + path.length + " nodes for a tree of " + last.tree().size());
    }
    if (ranLast) {
      model.commit(last.runPrefix(path));
    }
    last = null;
    ranLast = false;
  }

  @Override
  public void reset() {
    model.truncate(0);
    last = null;
    ranLast = false;
  }

  @Override
  public String name() {
    return "draft";
  }

  @Override
  public Optional<ModelInfo> modelInfo() {
    return Optional.of(model.info());
  }

  /** The tree this drafter grows. */
  public TreeSpec tree() {
    return spec;
  }

  /** Tokens run through the draft model since it was made (all sequences, all levels). */
  public long tokensRun() {
    return tokensRun;
  }

  /** Positions committed in the draft model's cache. */
  public int cacheLength() {
    return model.cacheLength();
  }

  /** Closes the draft model; idempotent as the model's close is. */
  @Override
  public void close() {
    model.close();
  }
}
