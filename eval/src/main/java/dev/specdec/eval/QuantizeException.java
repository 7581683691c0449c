package dev.specdec.eval;

/**
 * {@link ModelQuantizer} cannot quantize what it was given, for a reason the user can fix: the
 * input is missing or not a specdec model or bundle, the output exists, or Python 3 with numpy and
 * onnx is not available. The message says which, and what to do.
 */
public final class QuantizeException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The problem described by {@code message}. */
  public QuantizeException(String message) {
    super(message);
  }

  /** The problem described by {@code message}, caused by {@code cause}. */
  public QuantizeException(String message, Throwable cause) {
    super(message, cause);
  }
}
