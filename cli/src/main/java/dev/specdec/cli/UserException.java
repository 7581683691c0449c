package dev.specdec.cli;

/** A problem with what the user gave the CLI, reported as one line without a stack trace. */
final class UserException extends Exception {
  private static final long serialVersionUID = 1L;

  UserException(String message) {
    super(message);
  }

  UserException(String message, Throwable cause) {
    super(message, cause);
  }
}
