package dev.specdec.model;

import dev.specdec.tree.TokenTree;

/**
 * A DeepSeek-V3-style multi-token-prediction module with its own KV cache (one Llama block on top
 * of a target; docs/mtp-medusa-contract.md).
 *
 * <p>Each node of a pass is a pair (hidden state h, token x): for cache slot j, h is the target's
 * hidden state at position j and x the token at position j + 1, and the row's logits predict the
 * token at position j + 2. The cache works like {@link CausalLm}'s: {@link #forward} writes the
 * nodes' keys and values after the {@link #cacheLength()} committed slots, uncommitted; {@link
 * #commit} keeps a root-to-node path of them; {@link #truncate} rolls back. Node i of a tree sits
 * in slot {@code cacheLength() + depth(i)}, at RoPE position one more.
 *
 * <p>Not thread-safe. Closing releases every native resource; {@code close()} is idempotent.
 */
public interface MtpModule extends AutoCloseable {

  /** What the module declared at load. */
  MtpInfo info();

  /** Committed slots in the cache. */
  int cacheLength();

  /** Slots the cache can hold: {@code info().maxPositions() - 1}. */
  int capacity();

  /**
   * Runs one pass over {@code tree} on top of the committed cache.
   *
   * @param tree the tokens x of the pairs; node i attends to the committed slots and its ancestors
   * @param hiddenStates the hidden states h of the pairs, {@code tree.size()} rows of {@code
   *     info().hiddenSize()} floats, node-major; read during the call only
   * @return logits (predicting the token two positions after each node's h) and the module's own
   *     final-norm hidden states ({@code hidden_states_out}), one row per node; a view valid until
   *     the next {@code forward}, {@code commit} or {@code truncate}
   * @throws IllegalArgumentException when the cache cannot hold the tree, a token is outside the
   *     vocabulary, or {@code hiddenStates} is too short
   * @throws NumericalException when the logits hold NaN or infinity
   * @throws InferenceException when ONNX Runtime fails
   */
  ForwardOutput forward(TokenTree tree, float[] hiddenStates);

  /**
   * Keeps a root-to-node path of the last pass as the next committed slots; see {@link
   * CausalLm#commit}.
   */
  void commit(int[] nodes);

  /** Commits the first {@code count} nodes of the last pass, which must be a chain. */
  void commitPrefix(int count);

  /** Shortens the committed cache to {@code length} slots and drops any uncommitted pass. */
  void truncate(int length);

  /** Work counters since load. */
  CacheStats stats();

  /** Releases the session and the cache; idempotent. */
  @Override
  void close();
}
