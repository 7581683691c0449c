package dev.specdec.model;

/**
 * What an MTP module declares in its metadata (docs/mtp-medusa-contract.md).
 *
 * @param name a human-readable name ({@code specdec.name})
 * @param target the {@code specdec.name} of the only target it may be used with
 * @param numHeads attention (query) heads of its one block
 * @param numKvHeads key/value heads Hkv of its cache
 * @param headSize per-head size D
 * @param hiddenSize width H of the hidden states it takes and returns: the target's
 * @param vocabSize vocabulary size V: the target's
 * @param maxPositions exclusive bound of its RoPE positions; cache slot j sits at position j + 1
 */
public record MtpInfo(
    String name,
    String target,
    int numHeads,
    int numKvHeads,
    int headSize,
    int hiddenSize,
    int vocabSize,
    int maxPositions) {

  /** Validates sizes: all positive, heads a multiple of kv heads, at least two positions. */
  public MtpInfo {
    java.util.Objects.requireNonNull(name, "name");
    java.util.Objects.requireNonNull(target, "target");
    requirePositive("numHeads", numHeads);
    requirePositive("numKvHeads", numKvHeads);
    requirePositive("headSize", headSize);
    requirePositive("hiddenSize", hiddenSize);
    requirePositive("vocabSize", vocabSize);
    if (maxPositions < 2) {
      throw new IllegalArgumentException(
          "maxPositions must be >= 2 (slot 0 sits at position 1), was " + maxPositions);
    }
    if (numHeads % numKvHeads != 0) {
      throw new IllegalArgumentException(
          "numHeads (" + numHeads + ") must be a multiple of numKvHeads (" + numKvHeads + ")");
    }
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
  }
}
