package dev.specdec.eval;

import java.util.Objects;
import java.util.Optional;

/**
 * One prompt of a benchmark's prompt set.
 *
 * @param id the prompt's id from the file, else its 1-based position in the set
 * @param category the prompt's category (Spec-Bench's task name, say), when the file gives one
 * @param text the prompt, not empty
 */
public record BenchPrompt(String id, Optional<String> category, String text) {

  /** Validates presence and that the text is not empty. */
  public BenchPrompt {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(text, "text");
    if (text.isEmpty()) {
      throw new IllegalArgumentException("prompt " + id + " is empty");
    }
  }
}
