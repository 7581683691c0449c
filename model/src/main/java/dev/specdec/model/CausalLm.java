package dev.specdec.model;

import dev.specdec.tree.TokenTree;

/**
 * A causal language model with its own KV cache: a target or a draft model.
 *
 * <p>The cache holds {@link #cacheLength()} committed positions. {@link #forward} runs a token tree
 * over them and writes the keys and values of the tree's nodes into the rows right after the
 * committed ones, uncommitted; {@link #commit} then keeps any root-to-node subset of those nodes,
 * in order, as the next committed rows, and discards the rest. {@link #truncate} rolls back.
 *
 * <p>Not thread-safe: one decode loop drives one model. Several models made from one {@code
 * dev.specdec.runtime.ModelWeights} share its session and may run on different threads at once.
 * Closing releases every native resource this model owns; {@code close()} is idempotent.
 */
public interface CausalLm extends AutoCloseable {

  /** What the model declared at load: sizes, special tokens, context length. */
  ModelInfo info();

  /**
   * True when {@link #forward} takes any token tree (each node attending to its ancestors only);
   * false when the model's attention mask can express causal chains only (the Optimum layout's 2-D
   * mask), and {@code forward} rejects trees with branches. Decoders verify only one path of a
   * drafter's tree on such a model.
   */
  default boolean supportsTreeMasks() {
    return true;
  }

  /** Committed positions in the cache. */
  int cacheLength();

  /** Positions the cache can hold: the model's context length. */
  int capacity();

  /**
   * Runs one pass of the model over {@code tree} on top of the committed cache.
   *
   * <p>Node i sits at position {@code cacheLength() + depth(i)} and attends to all committed
   * positions and to its ancestors in the tree. The result is a view that stays valid until the
   * next call to {@code forward}, {@code commit} or {@code truncate}.
   *
   * @throws IllegalArgumentException when {@code cacheLength() + tree.size()} exceeds {@link
   *     #capacity()}, or a token is outside the vocabulary
   * @throws NumericalException when the logits hold NaN or infinity
   * @throws InferenceException when ONNX Runtime fails
   */
  ForwardOutput forward(TokenTree tree);

  /**
   * Keeps nodes of the last forward pass as the next committed cache rows.
   *
   * @param nodes node indices of the last forward's tree, strictly increasing, each the parent of
   *     the next (a root-to-node path; for a chain, a prefix {@code 0..n-1})
   * @throws IllegalStateException when there is no uncommitted forward pass
   * @throws IllegalArgumentException when {@code nodes} is not such a path
   */
  void commit(int[] nodes);

  /** Commits the first {@code count} nodes of the last forward pass, which must be a chain. */
  void commitPrefix(int count);

  /**
   * Shortens the committed cache to {@code length} positions and drops any uncommitted pass.
   *
   * @throws IllegalArgumentException when {@code length} is negative or beyond {@link
   *     #cacheLength()}
   */
  void truncate(int length);

  /** Work counters since load: passes, tokens run, cache rows copied by commits. */
  CacheStats stats();

  /**
   * Releases the cache, every tensor and this model's hold on its session, which closes with the
   * last model on it (see {@code ModelWeights}); idempotent.
   */
  @Override
  void close();
}
