package dev.specdec.model;

/** ONNX Runtime failed during a pass; the message gives the context, the cause is kept. */
public final class InferenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}, caused by {@code cause}. */
  public InferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
