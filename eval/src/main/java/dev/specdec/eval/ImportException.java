package dev.specdec.eval;

/**
 * {@link ModelImporter} cannot import what it was given, for a reason the user can fix: the
 * checkpoint is missing or not what its format needs, the output exists, or Python 3 with numpy and
 * onnx is not available. The message says which, and what to do.
 */
public final class ImportException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The problem described by {@code message}. */
  public ImportException(String message) {
    super(message);
  }

  /** The problem described by {@code message}, caused by {@code cause}. */
  public ImportException(String message, Throwable cause) {
    super(message, cause);
  }
}
