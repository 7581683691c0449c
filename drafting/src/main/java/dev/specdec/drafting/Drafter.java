package dev.specdec.drafting;

import dev.specdec.model.CausalLm;
import dev.specdec.model.ForwardOutput;
import dev.specdec.model.MedusaHeads;
import dev.specdec.model.ModelInfo;
import dev.specdec.sampling.SamplingConfig;
import dev.specdec.tree.TreeSpec;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Proposes token trees for the target to verify in one pass.
 *
 * <p>The decode loop calls, per step: {@link #propose}, then (after verification) {@link #accepted}
 * with the path of the proposal that the target accepted. The token that follows that path (the
 * target's correction or bonus token) arrives as the last token of the next context. {@link #reset}
 * starts a new sequence.
 *
 * <p>Not thread-safe. Drafters that own models close them in {@link #close()}.
 */
public interface Drafter extends AutoCloseable {

  /**
   * Proposes a tree rooted at {@code context.last()}.
   *
   * @param context the tokens decoded so far, prompt included
   * @param maxDrafts the most draft tokens (tree nodes besides the root) the pass can take; may be
   *     0 near the end of the context, and then the proposal must be the root alone
   * @return a proposal whose distributions stay valid until the next call
   */
  Proposal propose(TokenContext context, int maxDrafts);

  /**
   * Proposes as {@link #propose(TokenContext, int)} does, asking {@code stop} after each drafted
   * level whether to draft deeper. Drafters that pay per level (a draft model's chain) stop there;
   * the default ignores {@code stop}, and the decoder prunes what it will not verify.
   */
  default Proposal propose(TokenContext context, int maxDrafts, DraftStop stop) {
    return propose(context, maxDrafts);
  }

  /**
   * The target accepted {@code path} of the last proposal.
   *
   * @param path node indices from the root (index 0) down the accepted drafts, so {@code
   *     path.length - 1} drafts were accepted
   */
  void accepted(int[] path);

  /**
   * The target is about to commit {@code nodes} of one of its passes as its next cache rows: the
   * prompt's prefill chain (nodes {@code 0..L-2}), or, every step before {@link #accepted}, the
   * accepted path of the verification pass. Row {@code nodes[i]} of {@code pass} belongs to context
   * position {@code firstPosition + i}, so over a sequence the calls cover every position but the
   * pending last one, in order. Drafters that work from the target's hidden states (MTP, Medusa)
   * copy them here; {@code pass} is valid during the call only. The default ignores it.
   */
  default void targetCommitting(int firstPosition, int[] nodes, ForwardOutput pass) {}

  /** Forgets all state of the previous sequence. */
  void reset();

  /** A short name for reports, e.g. {@code draft} or {@code none}. */
  String name();

  /**
   * What the draft model declared, when this drafter runs one; empty otherwise (the default). The
   * decoder checks it against the target's vocabulary.
   */
  default Optional<ModelInfo> modelInfo() {
    return Optional.empty();
  }

  /** Releases owned models; idempotent. The default owns nothing. */
  @Override
  default void close() {}

  /** The drafter that drafts nothing: plain decoding, one target pass per token. */
  static Drafter none() {
    return NoDrafter.INSTANCE;
  }

  /**
   * A small model that drafts a chain of up to {@code k} tokens ahead on its own KV cache; see
   * {@link DraftModelDrafter}. The drafter owns {@code draft}: closing it closes the model.
   *
   * @param sampling temperature 0 drafts the argmax; otherwise drafts are sampled from the warped
   *     draft distribution q, which the proposal records for rejection sampling
   * @param k the most drafts per proposal, in {@code [1, 64]}
   * @param rng draws the sampled drafts; unused when greedy
   */
  static DraftModelDrafter draftModel(
      CausalLm draft, SamplingConfig sampling, int k, RandomGenerator rng) {
    return DraftModelDrafter.of(draft, sampling, k, rng);
  }

  /**
   * Medusa heads on the target's hidden state at the last accepted token, filling {@code tree} with
   * each head's top-k; see {@link MedusaDrafter}. The drafter owns {@code heads}.
   */
  static MedusaDrafter medusa(MedusaHeads heads, TreeSpec tree) {
    return MedusaDrafter.of(heads, tree);
  }

  /**
   * A small model that drafts a tree (top-k branching per level, level by level under its own tree
   * mask on its own cache); see {@link DraftTreeDrafter}. The drafter owns {@code draft}.
   */
  static DraftTreeDrafter draftModelTree(CausalLm draft, TreeSpec tree) {
    return DraftTreeDrafter.of(draft, tree);
  }
}
