package dev.specdec.runtime;

/**
 * A model file does not follow the specdec model contract: a missing or extra input or output, a
 * wrong element type or shape, or missing metadata. The message says what was expected and what was
 * found; see {@code docs/model-contract.md}.
 */
public final class ModelContractException extends Exception {
  private static final long serialVersionUID = 1L;

  /** A contract violation in the model at {@code model}. */
  public ModelContractException(String message) {
    super(message);
  }
}
