package dev.specdec.runtime;

/**
 * The input/output layouts of ONNX decoders that specdec runs, detected when a model is loaded.
 *
 * <p>See {@code docs/model-contract.md} (specdec contract v1) and {@code docs/importing.md}
 * (Optimum layout).
 */
public enum ModelLayout {
  /**
   * The specdec model contract v1: additive 4-D attention mask, sequence-major cache, new keys and
   * values only, {@code specdec.*} metadata. Takes tree masks.
   */
  SPECDEC_V1("specdec contract v1", true),
  /**
   * Hugging Face Optimum's decoder export: {@code attention_mask} int64 {@code [batch, past +
   * seq]}, {@code past_key_values.{i}.key/.value} {@code [batch, Hkv, past, D]} (head-major) and
   * {@code present.{i}.key/.value} = past + new; sizes and special tokens from {@code config.json}.
   * Its 2-D mask cannot express a tree: chains only.
   */
  OPTIMUM("Hugging Face Optimum decoder", false);

  private final String description;
  private final boolean treeMasks;

  ModelLayout(String description, boolean treeMasks) {
    this.description = description;
    this.treeMasks = treeMasks;
  }

  /** A short human-readable name, e.g. {@code Hugging Face Optimum decoder}. */
  public String description() {
    return description;
  }

  /**
   * True when one pass can verify a token tree (each node attending to its ancestors only); false
   * when the model's mask can express causal chains only.
   */
  public boolean supportsTreeMasks() {
    return treeMasks;
  }
}
