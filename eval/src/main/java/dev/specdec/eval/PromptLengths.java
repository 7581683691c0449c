package dev.specdec.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Encodes a whole prompt set and checks it against the context before anything is decoded, so that
 * a too-long prompt late in the set fails the run at once instead of after the prompts before it
 * were decoded and their work thrown away.
 */
final class PromptLengths {
  /** Offending prompts a message lists by id before it says how many more there are. */
  private static final int LISTED = 10;

  private PromptLengths() {}

  /** The token ids of every prompt, in set order, as {@code encode} gives them (BOS first). */
  static List<int[]> encodeAll(List<BenchPrompt> prompts, Function<String, int[]> encode) {
    List<int[]> ids = new ArrayList<>(prompts.size());
    for (BenchPrompt prompt : prompts) {
      ids.add(encode.apply(prompt.text()));
    }
    return ids;
  }

  /**
   * Checks that every prompt leaves room for at least one new token in {@code capacity}.
   *
   * @param remedy what the message suggests besides shortening, e.g. an option; may be empty
   * @throws IllegalArgumentException naming config, capacity and each offending prompt's id and
   *     length
   */
  static void requireAllFit(
      String config, List<BenchPrompt> prompts, List<int[]> ids, int capacity, String remedy) {
    List<String> offenders = new ArrayList<>();
    int count = 0;
    for (int p = 0; p < prompts.size(); p++) {
      int length = ids.get(p).length;
      if (length >= capacity) {
        count++;
        if (offenders.size() < LISTED) {
          offenders.add("prompt " + prompts.get(p).id() + " (" + length + " tokens)");
        }
      }
    }
    if (count == 0) {
      return;
    }
    String more = count > offenders.size() ? " and " + (count - offenders.size()) + " more" : "";
    throw new IllegalArgumentException(
        "config "
            + config
            + ": "
            + count
            + " of "
            + prompts.size()
            + (prompts.size() == 1 ? " prompt does" : " prompts do")
            + " not fit the context of "
            + capacity
            + " tokens (BOS included, with room for one new token), nothing was decoded: "
            + String.join(", ", offenders)
            + more
            + "; shorten "
            + (count == 1 ? "it" : "them")
            + remedy);
  }
}
