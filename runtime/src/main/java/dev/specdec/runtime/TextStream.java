package dev.specdec.runtime;

import dev.specdec.model.TextTokenizer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns token ids, fed one at a time, into text as soon as it is complete.
 *
 * <p>Decoding each token alone goes wrong twice: a character split over byte-fallback tokens
 * decodes to U+FFFD until its last byte arrives, and tokenizers that strip or merge spaces at the
 * start of a decode treat a lone token differently from the same token mid-text. So the stream
 * decodes a short window of recent tokens twice, with and without the new ones, and emits the
 * difference, holding text back while it ends in U+FFFD (the approach of Hugging Face's
 * text-generation-inference). The concatenation of everything {@link #accept} and {@link #finish}
 * return equals {@code tokenizer.decode(allIds)} whenever the ids decode to valid text; byte tokens
 * that form no valid UTF-8 sequence are replaced by the tokenizer depending on what follows them,
 * so there the streamed text may differ from the final decode in those replacement characters.
 *
 * <p>Not thread-safe. Does not own the tokenizer.
 */
public final class TextStream {
  private static final char REPLACEMENT = '\uFFFD';

  private final TextTokenizer tokenizer;
  private int[] ids = new int[64];
  private int size;
  private int prefixOffset; // start of the window decoded for context
  private int readOffset; // end of the text already emitted

  /** A stream decoding with {@code tokenizer}. */
  public TextStream(TextTokenizer tokenizer) {
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
  }

  /**
   * Adds one token.
   *
   * @return the text that became complete with it; empty while a character is incomplete
   */
  public String accept(int tokenId) {
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, 2 * size);
    }
    ids[size++] = tokenId;
    String text = pendingText();
    if (text.isEmpty() || text.charAt(text.length() - 1) == REPLACEMENT) {
      return "";
    }
    prefixOffset = readOffset;
    readOffset = size;
    return text;
  }

  /**
   * Ends the stream: returns whatever text is still held back (an incomplete character decodes as
   * U+FFFD here, exactly as the full decode does).
   */
  public String finish() {
    String text = pendingText();
    prefixOffset = readOffset;
    readOffset = size;
    return text;
  }

  /** Tokens fed so far. */
  public int tokenCount() {
    return size;
  }

  /** The text after {@code readOffset} given the window's context, or "" when there is none. */
  private String pendingText() {
    if (size == readOffset) {
      return "";
    }
    String before = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
    String after = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size));
    // Normally `after` extends `before`. It does not when byte-fallback tokens that form no valid
    // character were emitted and a later byte joins their group (the tokenizer then replaces the
    // whole group): the emitted text cannot be taken back, so continue after the common prefix.
    int common = 0;
    int limit = Math.min(before.length(), after.length());
    while (common < limit && before.charAt(common) == after.charAt(common)) {
      common++;
    }
    return common == before.length() ? after.substring(common) : after.substring(limit);
  }
}
