package dev.specdec.eval;

import java.io.IOException;

/**
 * A tuning profile that cannot be used: missing, unreadable, not a profile, of another format
 * version, or made for another bundle. The message names the file and says how to make a good one.
 */
public final class ProfileException extends IOException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}, which names the file. */
  public ProfileException(String message) {
    super(message);
  }

  /** As {@link #ProfileException(String)}, keeping the {@code cause}. */
  public ProfileException(String message, Throwable cause) {
    super(message, cause);
  }
}
