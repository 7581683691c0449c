package dev.specdec.model;

/** A model produced NaN or infinite logits; the message names the model, pass and row. */
public final class NumericalException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Non-finite output described by {@code message}. */
  public NumericalException(String message) {
    super(message);
  }
}
