package dev.specdec.eval;

import java.io.IOException;

/** A prompt file that is missing, unreadable, malformed or holds no prompts. */
public final class PromptFileException extends IOException {
  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}, which names the file (and the line, if any). */
  public PromptFileException(String message) {
    super(message);
  }

  /** As {@link #PromptFileException(String)}, keeping the {@code cause}. */
  public PromptFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
