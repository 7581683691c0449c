package dev.specdec.drafting;

/**
 * The token sequence decoded so far: the prompt and every accepted token. The last token is the one
 * the target has not run yet; it becomes the root of the next proposal.
 *
 * <p>A read-only view of a buffer the decode loop grows; do not keep it past a step.
 */
public interface TokenContext {

  /** Number of tokens, {@code >= 1}. */
  int length();

  /** Token at {@code index}, in {@code [0, length())}. */
  int token(int index);

  /** The last token: the root of the next proposal. */
  default int last() {
    return token(length() - 1);
  }

  /**
   * A context over a copy of {@code ids}: for tests and for callers that hold a finished sequence.
   *
   * @throws IllegalArgumentException when {@code ids} is empty
   */
  static TokenContext of(int... ids) {
    if (ids.length == 0) {
      throw new IllegalArgumentException("a token context holds at least one token");
    }
    int[] copy = ids.clone();
    return new TokenContext() {
      @Override
      public int length() {
        return copy.length;
      }

      @Override
      public int token(int index) {
        return copy[index];
      }
    };
  }
}
