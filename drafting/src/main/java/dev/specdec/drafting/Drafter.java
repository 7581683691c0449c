package dev.specdec.drafting;

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
   * The target accepted {@code path} of the last proposal.
   *
   * @param path node indices from the root (index 0) down the accepted drafts, so {@code
   *     path.length - 1} drafts were accepted
   */
  void accepted(int[] path);

  /** Forgets all state of the previous sequence. */
  void reset();

  /** A short name for reports, e.g. {@code draft} or {@code none}. */
  String name();

  /** Releases owned models; idempotent. The default owns nothing. */
  @Override
  default void close() {}

  /** The drafter that drafts nothing: plain decoding, one target pass per token. */
  static Drafter none() {
    return NoDrafter.INSTANCE;
  }
}
