package dev.specdec.verification;

/** Why generation ended. */
public enum StopReason {
  /** The target produced one of the request's stop tokens (not included in the output). */
  STOP_TOKEN,
  /** The request's {@code maxNewTokens} were produced. */
  MAX_NEW_TOKENS,
  /** The context reached the model's capacity: no further token could be run. */
  CONTEXT_FULL
}
