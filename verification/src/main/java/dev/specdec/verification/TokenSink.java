package dev.specdec.verification;

/**
 * Takes each new token of a generation as soon as its step is verified, and says whether to go on:
 * how a caller ends generation on a condition the decoder does not know, such as a stop string in
 * the decoded text ({@link SpeculativeDecoder#generateWhile}).
 */
@FunctionalInterface
public interface TokenSink {
  /**
   * The next new token, in order.
   *
   * @return true to go on; false to end generation after this token, which stays in the result,
   *     with {@link StopReason#STOP_STRING}
   */
  boolean accept(int token);
}
