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
   * Generation was stopped from outside (a {@link dev.specdec.runtime.Cancellation}, e.g. Ctrl-C):
   * the tokens are those of the steps completed before; the step cut short emitted nothing.
   */
  INTERRUPTED,
  /**
   * The caller's {@link TokenSink} ended generation after a token, which is included in the output:
   * in {@code dev.specdec.SpecDecoder}, the text reached one of the request's stop strings.
   */
  STOP_STRING
}
