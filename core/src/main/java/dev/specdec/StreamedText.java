package dev.specdec;

import dev.specdec.model.TextTokenizer;
import dev.specdec.runtime.TextStream;
import dev.specdec.verification.TokenSink;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns the tokens of one generation into streamed text, and ends generation at a stop string.
 *
 * <p>Text comes from a {@link TextStream}, which releases it only once complete: a UTF-8 character
 * split over byte-fallback tokens is never emitted half. On top of that, text that could be the
 * start of a stop string is held back until the next tokens show whether it is: so the stream never
 * shows any part of a stop string, and a stop string that spans tokens is found as soon as its last
 * character arrives. Invariant: no stop string starts before {@code emitted}, so a search need only
 * look at the held-back tail and the new text.
 *
 * <p>One generation, one thread. Does not own the tokenizer.
 */
final class StreamedText implements TokenSink {
  private final TextStream stream;
  private final List<String> stopStrings;
  private final int longestStop;
  private final Consumer<String> onText;
  private final StringBuilder text = new StringBuilder(); // complete text so far
  private int emitted; // chars of text given to onText
  private boolean stopped;

  StreamedText(TextTokenizer tokenizer, List<String> stopStrings, Consumer<String> onText) {
    this.stream = new TextStream(tokenizer);
    this.stopStrings = List.copyOf(stopStrings);
    this.longestStop = this.stopStrings.stream().mapToInt(String::length).max().orElse(0);
    this.onText = onText;
  }

  /** Takes the next token; false once the text holds a stop string. */
  @Override
  public boolean accept(int token) {
    if (stopped) {
      throw new IllegalStateException("generation already stopped at a stop string");
    }
    return !append(stream.accept(token), false);
  }

  /**
   * Ends the stream: emits what was held back (no stop string can complete it now) and returns the
   * whole text, which ends before the stop string when one was found.
   */
  String finish() {
    if (!stopped) {
      append(stream.finish(), true);
    }
    return text.toString();
  }

  /** Whether a stop string ended the text. */
  boolean stopped() {
    return stopped;
  }

  /** Appends complete text; emits what is safe; true when a stop string was found. */
  private boolean append(String piece, boolean last) {
    int before = text.length();
    text.append(piece);
    if (longestStop == 0) {
      emit(text.length());
      return false;
    }
    // A new occurrence ends inside the new text, so starts at most longestStop - 1 chars before it.
    int from = Math.max(emitted, before - longestStop + 1);
    int stopAt = -1;
    for (String stop : stopStrings) {
      int at = text.indexOf(stop, from);
      if (at >= 0 && (stopAt < 0 || at < stopAt)) {
        stopAt = at;
      }
    }
    if (stopAt >= 0) {
      text.setLength(stopAt);
      emit(stopAt);
      stopped = true;
      return true;
    }
    emit(last ? text.length() : text.length() - heldBack());
    return false;
  }

  /** Length of the longest tail of the unemitted text that is a proper prefix of a stop string. */
  private int heldBack() {
    int length = text.length();
    for (int held = Math.min(longestStop - 1, length - emitted); held > 0; held--) {
      String tail = text.substring(length - held);
      for (String stop : stopStrings) {
        if (stop.startsWith(tail)) {
          return held;
        }
      }
    }
    return 0;
  }

  private void emit(int end) {
    if (end > emitted) {
      String chunk = text.substring(emitted, end);
      emitted = end;
      onText.accept(chunk);
    }
  }
}
