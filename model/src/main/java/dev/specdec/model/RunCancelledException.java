package dev.specdec.model;

/**
 * A model pass was not run, or was cut short, because its cancellation ({@code
 * dev.specdec.runtime.Cancellation}) was cancelled. Not a failure of the model: the decoder reports
 * it as the stop reason {@code INTERRUPTED}.
 */
public final class RunCancelledException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A cancelled pass described by {@code message}. */
  public RunCancelledException(String message) {
    super(message);
  }
}
