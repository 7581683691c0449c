package dev.specdec.cli;

/** The exit codes of {@code specdec}. */
final class ExitCodes {
  /** Success. */
  static final int OK = 0;

  /** The input or the environment is at fault: a bundle, a model, a prompt, a device. */
  static final int FAILURE = 1;

  /** The command line is at fault: an unknown option, a missing or out-of-range value. */
  static final int USAGE = 2;

  /** A bug: an unexpected exception, printed with its stack trace ({@code EX_SOFTWARE}). */
  static final int INTERNAL = 70;

  /** Stopped by SIGINT (Ctrl-C) after printing what it had: 128 + 2, as shells report it. */
  static final int INTERRUPTED = 130;

  /** Stopped by SIGTERM after printing what it had: 128 + 15. */
  static final int TERMINATED = 143;

  private ExitCodes() {}
}
