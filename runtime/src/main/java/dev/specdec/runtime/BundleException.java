package dev.specdec.runtime;

/**
 * A model bundle directory is missing, or its {@code specdec.json} is malformed or points at files
 * that are not there. The message names the directory and the offending entry.
 */
public final class BundleException extends Exception {
  private static final long serialVersionUID = 1L;

  /** A bundle problem described by {@code message}. */
  public BundleException(String message) {
    super(message);
  }

  /** A bundle problem described by {@code message}, caused by {@code cause}. */
  public BundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
