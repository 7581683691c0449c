package dev.specdec.model;

/**
 * What a model declares in its metadata under the specdec model contract.
 *
 * @param name a human-readable name ({@code specdec.name})
 * @param contractVersion the specdec contract version the model was exported for; 0 for a model in
 *     another layout (Hugging Face Optimum), whose values come from its config.json
 * @param numLayers decoder layers L: the number of past/new key and value tensors
 * @param numHeads attention (query) heads
 * @param numKvHeads key/value heads Hkv (grouped-query attention when fewer than heads)
 * @param headSize per-head size D
 * @param hiddenSize model width H, the width of {@code hidden_states}
 * @param vocabSize vocabulary size V, the width of {@code logits}
 * @param maxPositions context length: the most positions the cache holds
 * @param bosTokenId beginning-of-sequence token
 * @param eosTokenId end-of-sequence token
 */
public record ModelInfo(
    String name,
    int contractVersion,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headSize,
    int hiddenSize,
    int vocabSize,
    int maxPositions,
    int bosTokenId,
    int eosTokenId) {

  /**
   * Validates sizes: all positive, heads a multiple of kv heads, special tokens in the vocabulary.
   */
  public ModelInfo {
    requirePositive("numLayers", numLayers);
    requirePositive("numHeads", numHeads);
    requirePositive("numKvHeads", numKvHeads);
    requirePositive("headSize", headSize);
    requirePositive("hiddenSize", hiddenSize);
    requirePositive("vocabSize", vocabSize);
    requirePositive("maxPositions", maxPositions);
    if (numHeads % numKvHeads != 0) {
      throw new IllegalArgumentException(
          "numHeads (" + numHeads + ") must be a multiple of numKvHeads (" + numKvHeads + ")");
    }
    requireToken("bosTokenId", bosTokenId, vocabSize);
    requireToken("eosTokenId", eosTokenId, vocabSize);
  }

  /** Floats per cache row of one layer's keys (or values): {@code numKvHeads * headSize}. */
  public int kvRowSize() {
    return numKvHeads * headSize;
  }

  /**
   * Checks that a drafter can propose tokens for a target: both must use the same vocabulary
   * (checked by size, the one thing the contract declares about it).
   *
   * @throws IllegalArgumentException naming both sizes when they differ
   */
  public static void requireSameVocabulary(ModelInfo target, ModelInfo draft) {
    if (target.vocabSize() != draft.vocabSize()) {
      throw new IllegalArgumentException(
          "draft vocabulary ("
              + draft.vocabSize()
              + ") differs from target vocabulary ("
              + target.vocabSize()
              + "): a drafter must share the target's tokenizer (draft '"
              + draft.name()
              + "', target '"
              + target.name()
              + "')");
    }
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
  }

  private static void requireToken(String name, int token, int vocabSize) {
    if (token < 0 || token >= vocabSize) {
      throw new IllegalArgumentException(name + " must be in [0, " + vocabSize + "), was " + token);
    }
  }
}
