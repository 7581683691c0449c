package dev.specdec.verification;

/** Why generation ended. */
public enum StopReason {
  /** The target produced one of the request's stop tokens (not included in the output). */
  STOP_TOKEN,
  /** The request's {@code maxNewTokens} were produced. */
  MAX_NEW_TOKENS,
  /** The context reached the model's capacity: no further token could be run. */
  CONTEXT_FULL,
  /**
   * The caller's {@link TokenSink} ended generation after a token, which is included in the output:
   * in {@code dev.specdec.SpecDecoder}, the text reached one of the request's stop strings.
   */
  STOP_STRING
}
